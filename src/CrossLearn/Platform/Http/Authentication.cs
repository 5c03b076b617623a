using CrossLearn.Platform.Storage;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CrossLearn.Platform.Http;

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

    /// <summary>
    /// For an endpoint that reads a named user's data: 400 for an id that is not one, 403 when a user names another;
    /// null when this caller may read <paramref name="userId"/>'s <paramref name="what"/>.
    /// </summary>
    public IResult? RefusalToRead(string userId, string what) =>
        !UserIds.IsValid(userId) ? ProblemResponses.Result(StatusCodes.Status400BadRequest, "Invalid request", "userId is not a valid user id.")
        : !ActsForOthers && UserId != userId ? ProblemResponses.Result(StatusCodes.Status403Forbidden, "Forbidden", $"A user may read only their own {what}.")
        : null;

    public const string RoleClaim = "role";

    /// <summary>Reads a principal that <see cref="Problem"/> accepted: exactly one sub and one known role.</summary>
    public static Caller From(ClaimsPrincipal principal) => new(
        principal.FindFirstValue(JwtRegisteredClaimNames.Sub) ?? throw new InvalidOperationException("Token has no sub."),
        principal.FindFirstValue(RoleClaim) ?? throw new InvalidOperationException("Token has no role."));

    /// <summary>
    /// Why a signed token's claims are not acceptable, or null. Exactly one <c>sub</c> that is a valid user id and
    /// exactly one <c>role</c> that is a known role: a role array (<c>["user", "admin"]</c>) would otherwise satisfy
    /// an admin check while the caller reads as a user elsewhere.
    /// </summary>
    public static string? Problem(ClaimsPrincipal principal)
    {
        var subjects = principal.FindAll(JwtRegisteredClaimNames.Sub).ToList();
        var roles = principal.FindAll(RoleClaim).ToList();
        if (subjects.Count != 1 || !UserIds.IsValid(subjects[0].Value)) return "The token's sub must be one valid user id.";
        if (roles.Count != 1 || !Roles.All.Contains(roles[0].Value)) return $"The token must carry exactly one role: {string.Join(", ", Roles.All)}.";
        return null;
    }
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
            Claims = new Dictionary<string, object> { [JwtRegisteredClaimNames.Sub] = userId, [Caller.RoleClaim] = role },
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
                    RoleClaimType = Caller.RoleClaim,
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
                    // A token with a good signature but unusable claims is no token at all: 401, like a bad signature.
                    OnTokenValidated = context =>
                    {
                        var problem = context.Principal is { } principal ? Caller.Problem(principal) : "No principal.";
                        if (problem != null) context.Fail(problem);
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
            // Every check reads the role the same way: the one role claim authentication let through (Caller.Problem).
            .AddPolicy(Policies.SignedIn, p => p.RequireAuthenticatedUser())
            .AddPolicy(Policies.Admin, p => p.RequireAuthenticatedUser()
                .RequireAssertion(c => c.User.Identity?.IsAuthenticated == true && Caller.From(c.User).Role == Roles.Admin));
    }
}
