using System.Net.Http.Json;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
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

    private ServiceProcess? _server;
    private IPlaywright? _playwright;

    public string BaseUrl { get; private set; } = "";
    public IBrowser Browser { get; private set; } = null!;
    public HttpClient Http { get; } = new();

    public async Task InitializeAsync()
    {
        _server = await ServiceProcess.StartAsync(new ServiceOptions
        {
            // This project's copy of the build: the control room's files come from the content root.
            Dll = Path.Combine(AppContext.BaseDirectory, "CrossLearn.dll"),
            Arguments = ["--contentRoot", Path.Combine(Repository.Root(), "src", "CrossLearn")],
            Environment = new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Testing", ["DOTNET_ENVIRONMENT"] = "Testing",
                ["ConnectionStrings__Marten"] = await TestDatabase.RuntimeConnectionStringAsync(),
                ["ConnectionStrings__MartenOwner"] = await TestDatabase.ConnectionStringAsync(),
                ["Auth__SigningKey"] = AppFixture.SigningKey,
                // A web node: projections and the live-feed subscription run on the main test host.
                ["Wolverine__DurabilityMode"] = "MediatorOnly",
                // As the test host: the population behind percentiles and predictions is read afresh on every request,
                // so what a page shows is what the API answered just before (by default up to 5 s old).
                ["Analytics__DistributionMaxAgeSeconds"] = "0"
            },
            HealthTimeout = TimeSpan.FromSeconds(60)
        });
        BaseUrl = _server.Address.ToString().TrimEnd('/');

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

    /// <summary>Any API call to the browser's service node, as <paramref name="token"/>'s holder; the answer's JSON (null for 204).</summary>
    public async Task<System.Text.Json.JsonElement?> SendAsync(HttpMethod method, string path, object? body, string token)
    {
        using var request = new HttpRequestMessage(method, $"{BaseUrl}{path}");
        if (body != null) request.Content = JsonContent.Create(body);
        request.Headers.Authorization = new("Bearer", token);
        var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return response.StatusCode == System.Net.HttpStatusCode.NoContent ? null : await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
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
        if (_server != null) await _server.DisposeAsync();
        Http.Dispose();
    }
}
