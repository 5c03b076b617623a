using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CrossLearn.Hosting;

public static class Roles
{
    public const string User = "user";
    public const string Service = "service";
    public const string Admin = "admin";
    public static readonly string[] All = [User, Service, Admin];
}

/// <summary>Authorization policies; every endpoint names one (or is explicitly anonymous).</summary>
public static class Policies
{
    /// <summary>Any valid token: end users, chat-app services, admins.</summary>
    public const string SignedIn = "signed-in";
    public const string Admin = "admin";
}

/// <summary>What a user id (the token's sub, or the userId a service posts for) may be.</summary>
public static class UserIds
{
    public const int MaxLength = 128;

    /// <summary>Keys of the service's own streams start with this; no user id may.</summary>
    public const string ReservedPrefix = "crosslearn:";

    public static bool IsValid(string? id) =>
        !string.IsNullOrWhiteSpace(id) && id.Length <= MaxLength && !id.Any(char.IsControl)
        && !id.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Who is calling, from the validated token.</summary>
public sealed record Caller(string UserId, string Role)
{
    public bool IsUser => Role == Roles.User;
    public bool ActsForOthers => Role is Roles.Service or Roles.Admin;

    public static Caller From(ClaimsPrincipal principal) => new(
        principal.FindFirstValue(JwtRegisteredClaimNames.Sub) ?? throw new InvalidOperationException("Token has no sub."),
        principal.FindFirstValue("role") ?? Roles.User);
}

public sealed class AuthSettings
{
    public const string Section = "Auth";
    public const string Issuer = "crosslearn";
    public const string Audience = "crosslearn";
    public const int MinimumKeyBytes = 32;
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public string? SigningKey { get; set; }

    public SymmetricSecurityKey Key() => new(Encoding.UTF8.GetBytes(SigningKey!));

    /// <summary>Reads and checks the settings: a service without a usable key must not start.</summary>
    public static AuthSettings Load(IConfiguration configuration)
    {
        var settings = configuration.GetSection(Section).Get<AuthSettings>() ?? new AuthSettings();
        if (string.IsNullOrWhiteSpace(settings.SigningKey))
            throw new InvalidOperationException(
                "Auth:SigningKey is not set. Set the environment variable Auth__SigningKey to a random secret of at " +
                $"least {MinimumKeyBytes} bytes (e.g. `openssl rand -base64 48`). Development has a default in appsettings.Development.json.");
        if (Encoding.UTF8.GetByteCount(settings.SigningKey) < MinimumKeyBytes)
            throw new InvalidOperationException($"Auth:SigningKey must be at least {MinimumKeyBytes} bytes long.");
        return settings;
    }
}

public static class TokenIssuer
{
    public static string Issue(AuthSettings settings, string userId, string role, TimeSpan lifetime, DateTimeOffset now)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = AuthSettings.Issuer,
            Audience = AuthSettings.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(lifetime).UtcDateTime,
            Claims = new Dictionary<string, object> { [JwtRegisteredClaimNames.Sub] = userId, ["role"] = role },
            SigningCredentials = new SigningCredentials(settings.Key(), SecurityAlgorithms.HmacSha256)
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary><c>token &lt;userId&gt; [--role admin|service|user] [--hours N]</c>: prints a signed token.</summary>
    public static int RunCommand(IConfiguration configuration, IReadOnlyList<string> args, TextWriter output)
    {
        if (args.Count < 1 || args[0].StartsWith("--"))
        {
            output.WriteLine("usage: token <userId> [--role user|service|admin] [--hours N]");
            return 2;
        }

        var role = Roles.User;
        var hours = 24.0;
        for (var i = 1; i < args.Count - 1; i += 2)
        {
            switch (args[i])
            {
                case "--role" when Roles.All.Contains(args[i + 1]): role = args[i + 1]; break;
                case "--hours" when double.TryParse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture, out var h) && h > 0: hours = h; break;
                default:
                    output.WriteLine($"unknown or invalid option {args[i]} {args[i + 1]}");
                    return 2;
            }
        }

        output.WriteLine(Issue(AuthSettings.Load(configuration), args[0], role, TimeSpan.FromHours(hours), DateTimeOffset.UtcNow));
        return 0;
    }
}

public static class AuthenticationSetup
{
    private static bool HasValidSubject(Microsoft.AspNetCore.Authorization.AuthorizationHandlerContext context) =>
        UserIds.IsValid(context.User.FindFirstValue(JwtRegisteredClaimNames.Sub));

    public static void AddCrossLearnAuthentication(this WebApplicationBuilder builder)
    {
        var settings = AuthSettings.Load(builder.Configuration);

        builder.Services
            .AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(options =>
            {
                options.MapInboundClaims = false;
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = AuthSettings.Issuer,
                    ValidAudience = AuthSettings.Audience,
                    IssuerSigningKey = settings.Key(),
                    // Pinning the algorithm rejects alg:none and any algorithm switch.
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    ClockSkew = AuthSettings.ClockSkew,
                    NameClaimType = JwtRegisteredClaimNames.Sub,
                    RoleClaimType = "role",
                    RequireExpirationTime = true,
                    RequireSignedTokens = true
                };
                options.Events = new JwtBearerEvents
                {
                    // Browsers' EventSource cannot send headers: the stream alone also takes ?access_token=.
                    OnMessageReceived = context =>
                    {
                        if (context.Request.Path == "/api/stream" && context.Request.Query["access_token"].FirstOrDefault() is { Length: > 0 } token)
                            context.Token = token;
                        return Task.CompletedTask;
                    },
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        await ProblemResponses.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized,
                            "Authentication required", "Send a valid bearer token (Authorization: Bearer <jwt>).");
                    },
                    OnForbidden = context => ProblemResponses.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden,
                        "Forbidden", "Your role may not call this endpoint.")
                };
            });

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.SignedIn, p => p.RequireAuthenticatedUser().RequireClaim("role", Roles.All).RequireAssertion(HasValidSubject))
            .AddPolicy(Policies.Admin, p => p.RequireAuthenticatedUser().RequireClaim("role", Roles.Admin).RequireAssertion(HasValidSubject));
    }
}
