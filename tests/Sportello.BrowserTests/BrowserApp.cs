using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sportello.Tests.Infrastructure;

namespace Sportello.BrowserTests;

/// <summary>Sportello on a real Kestrel port, and Debian's Chromium driven by Playwright.</summary>
public sealed class BrowserApp : SportelloApp
{
    private IPlaywright? playwright;
    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";
    public int SmtpPort { get; } = MailApp.FreePort();
    /// <summary>The provider's own site, another origin on loopback, where the chat widget is embedded (ChatWidgetTests).</summary>
    public int ProviderPort { get; } = MailApp.FreePort();
    public string ProviderSite => $"http://127.0.0.1:{ProviderPort}";

    // A certificate close to its end, so the admin mail page (and its accessibility check) shows the renewal warning.
    private readonly string certificates = Path.Combine(Path.GetTempPath(), $"sportello-browser-tls-{Guid.NewGuid():N}");

    protected override IReadOnlyDictionary<string, string?> Settings
    {
        get
        {
            if (!File.Exists(Path.Combine(certificates, "cert.pem")))
            {
                TestCertificates.WritePem(certificates, "mx.sportello.test", Clock, TimeSpan.FromDays(10));
            }
            return new Dictionary<string, string?>
            {
                ["Sportello:Mail:SmtpListen"] = $"127.0.0.1:{SmtpPort}",
                ["Sportello:Mail:SupportAddress"] = MailApp.Support,
                ["Sportello:Mail:SmtpTls:CertificateFile"] = Path.Combine(certificates, "cert.pem"),
                ["Sportello:Mail:SmtpTls:KeyFile"] = Path.Combine(certificates, "key.pem"),
                // The provider's site, another origin, embeds the chat widget.
                ["Sportello:Chat:AllowedOrigins:0"] = ProviderSite,
            };
        }
    }

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        StartServer();
        BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        ClientOptions.BaseAddress = new Uri(BaseUrl);
        // Live updates cross a SignalR push and a page fetch: give a busy 2-core CI machine room.
        Assertions.SetDefaultExpectTimeout(15_000);
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("SPORTELLO_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    public async Task<IPage> NewPageAsync(string locale = "en-US", int width = 1280)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            Locale = locale,
            ViewportSize = new ViewportSize { Width = width, Height = 900 },
        });
        return await context.NewPageAsync();
    }

    /// <summary>Saves what the page shows, for people to look at (test-output/screenshots).</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var dir = Path.Combine(SportelloProcess.RepoRoot, "test-output", "screenshots");
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, name + ".png"), FullPage = true });
    }

    public override async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        playwright?.Dispose();
        await base.DisposeAsync();
        if (Directory.Exists(certificates))
        {
            Directory.Delete(certificates, recursive: true);
        }
    }
}
