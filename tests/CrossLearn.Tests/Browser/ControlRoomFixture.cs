using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using CrossLearn.Hosting;
using CrossLearn.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CrossLearn.Tests.Browser;

/// <summary>
/// The service as a real process on a real port (a browser needs one), and headless Chromium from the
/// machine's package (Debian's chromium; nothing is downloaded).
/// </summary>
public sealed class ControlRoomFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private Process? _server;
    private IPlaywright? _playwright;

    public string BaseUrl { get; private set; } = "";
    public IBrowser Browser { get; private set; } = null!;
    public HttpClient Http { get; } = new();

    public async Task InitializeAsync()
    {
        var owner = await TestDatabase.ConnectionStringAsync();
        var runtime = await TestDatabase.RuntimeConnectionStringAsync();
        var port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "CrossLearn.dll"), "--urls", BaseUrl,
                "--contentRoot", Path.Combine(TestDatabase.RepositoryRoot(), "src", "CrossLearn") },
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            Environment =
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Testing", ["ConnectionStrings__Marten"] = runtime,
                ["ConnectionStrings__MartenOwner"] = owner,
                ["Auth__SigningKey"] = AppFixture.SigningKey, ["RateLimits__Enabled"] = "false",
                // A web node: projections and the live-feed subscription run on the main test host.
                ["Wolverine__DurabilityMode"] = "MediatorOnly"
            }
        };
        _server = Process.Start(info)!;
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        await WaitForHealthAsync();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath, Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]
        });
    }

    public string TokenFor(string userId, string role = Roles.User) =>
        TokenIssuer.Issue(new AuthSettings { SigningKey = AppFixture.SigningKey }, userId, role, TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

    public async Task<TurnResult> PostTurnAsync(string userId, string message)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{BaseUrl}/api/turns")
        {
            Content = JsonContent.Create(new { userMessage = message, aiResponse = "Noted." })
        };
        request.Headers.Authorization = new("Bearer", TokenFor(userId));
        var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TurnResult>())!;
    }

    public async Task<IPage> OpenAsync(string token, int width = 1400, int height = 1000)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{BaseUrl}/admin/control-room/#token={token}");
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser != null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
        }

        Http.Dispose();
    }

    private async Task WaitForHealthAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_server!.HasExited) throw new InvalidOperationException($"The service exited with {_server.ExitCode}.");
            try
            {
                if ((await Http.GetAsync($"{BaseUrl}/health")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("The service did not become healthy within 60 s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

