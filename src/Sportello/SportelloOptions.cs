namespace Sportello;

/// <summary>The <c>Sportello</c> configuration section (CONTRACT.md, "Running").</summary>
public sealed class SportelloOptions
{
    public const string Section = "Sportello";

    public string? PublicUrl { get; set; }
    public string DataDir { get; set; } = "data";
    public bool Demo { get; set; }
    public DatabaseOptions Database { get; set; } = new();
    public IdentitySettings Identity { get; set; } = new();
    public BootstrapOptions Bootstrap { get; set; } = new();
    public BillingOptions Billing { get; set; } = new();
    public LimitsOptions Limits { get; set; } = new();
}

public sealed class DatabaseOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public sealed class IdentitySettings
{
    public int PasswordIterations { get; set; } = 600_000;
    public int TokenLifetimeDays { get; set; } = 30;
    public int MaxFailedAccessAttempts { get; set; } = 5;
    public int LockoutMinutes { get; set; } = 15;
}

public sealed class BootstrapOptions
{
    public string? AdminEmail { get; set; }
    public string? AdminPassword { get; set; }
}

public sealed class BillingOptions
{
    public string SellerCountry { get; set; } = "IT";
}

public sealed class LimitsOptions
{
    /// <summary>Largest request body Kestrel accepts, in bytes (attachments are the big ones).</summary>
    public long MaxRequestBodyBytes { get; set; } = 32 * 1024 * 1024;
}

public static class SportelloOptionsSetup
{
    public static WebApplicationBuilder AddSportelloOptions(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SportelloOptions>()
            .Bind(builder.Configuration.GetSection(SportelloOptions.Section))
            .PostConfigure(o => o.PublicUrl ??= FirstUrl(builder.Configuration["urls"]));
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    private static string FirstUrl(string? urls) =>
        (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
        ?? "http://127.0.0.1:5080";
}
