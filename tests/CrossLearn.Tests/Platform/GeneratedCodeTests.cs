using System.Diagnostics;
using CrossLearn.Tests.Infrastructure;

namespace CrossLearn.Tests.Platform;

/// <summary>
/// Production runs the Wolverine handler code committed in src/CrossLearn/Internal/Generated, not code compiled at
/// start. Code that no longer matches the endpoints, handlers and middleware would run stale (a validator skipped, a
/// handler missing), so the committed files must be exactly what `codegen write` produces from the current source.
/// </summary>
public sealed class GeneratedCodeTests
{
    private static string Committed => Path.Combine(Repository.Root(), "src", "CrossLearn", "Internal", "Generated");

    [Fact]
    public async Task The_committed_handler_code_is_what_codegen_write_produces_now()
    {
        var output = Directory.CreateTempSubdirectory("crosslearn-codegen-").FullName;
        try
        {
            var info = new ProcessStartInfo("dotnet")
            {
                // The service's own build output: from this test's folder, the scan for Wolverine extensions would also
                // meet the test assemblies.
                ArgumentList = { Repository.BuiltServiceDll(), "codegen", "write" },
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                Environment =
                {
                    ["ASPNETCORE_ENVIRONMENT"] = "Production", ["DOTNET_ENVIRONMENT"] = "Production",
                    ["ConnectionStrings__Marten"] = await TestDatabase.RuntimeConnectionStringAsync(),
                    ["ConnectionStrings__MartenOwner"] = await TestDatabase.ConnectionStringAsync(),
                    ["Auth__SigningKey"] = AppFixture.SigningKey, ["CodeGeneration__OutputPath"] = output
                }
            };
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"codegen write failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");

            var regenerated = Files(output);
            Assert.NotEmpty(regenerated);
            var committed = Files(Committed);
            const string fix = "Run `dotnet run --project src/CrossLearn -- codegen write` and commit src/CrossLearn/Internal/Generated.";
            Assert.True(regenerated.Keys.Order().SequenceEqual(committed.Keys.Order()),
                $"Generated files differ. Missing: {string.Join(", ", regenerated.Keys.Except(committed.Keys))}; " +
                $"stale: {string.Join(", ", committed.Keys.Except(regenerated.Keys))}. {fix}");
            foreach (var (name, text) in regenerated)
                Assert.True(text == committed[name], $"{name} is out of date. {fix}");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static Dictionary<string, string> Files(string root) =>
        Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), f => File.ReadAllText(f).ReplaceLineEndings("\n"));
}
