namespace CrossLearn.Testing;

/// <summary>Where the repository's files are, seen from a test's or tool's build output.</summary>
public static class Repository
{
    /// <summary>The folder holding CrossLearn.sln, found upwards from the running assembly.</summary>
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CrossLearn.sln"))) return dir.FullName;
        throw new InvalidOperationException("Could not find the repository root (CrossLearn.sln).");
    }

    /// <summary>Debug or Release: the configuration the running assembly was built in (bin/&lt;configuration&gt;/net10.0).</summary>
    public static string BuildConfiguration() =>
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary>The service's dll as the solution build left it, in the same configuration as the caller.</summary>
    public static string BuiltServiceDll()
    {
        var dll = Path.Combine(Root(), "src", "CrossLearn", "bin", BuildConfiguration(), "net10.0", "CrossLearn.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: build the solution first.");
        return dll;
    }

    /// <summary>A file under the repository's .data folder (ignored by git), for logs and figures a run leaves.</summary>
    public static string DataFile(string name)
    {
        var folder = Path.Combine(Root(), ".data");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}
