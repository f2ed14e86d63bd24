using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Xml.Linq;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Sportello.Features.Accounts;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Accounts;

[Trait("Category", "Data")]
public sealed class PasswordStrengthTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private static readonly User Mario = new() { Name = "Mario Rossi", Email = "mario.rossi@example.com" };

    /// <summary>The hand-written list the estimator replaced, and its own-name rule: all still refused.</summary>
    public static TheoryData<string> OldRules =>
    [
        "123456789012", "1234567890123", "12345678901234", "password1234", "password12345", "passwordpassword",
        "qwertyuiop12", "qwertyuiopasdf", "iloveyou1234", "111111111111", "000000000000", "aaaaaaaaaaaa",
        "abcdefghijkl", "abc123abc123", "letmein12345", "welcome12345", "changeme1234", "administrator",
        "sportello123", "sportello1234", "supportdesk1",
        "MarioRossi2026", "xyz mario.rossi xyz",
    ];

    [Theory]
    [MemberData(nameof(OldRules))]
    public async Task TheOldListAndOwnNames_AreStillRefused(string password) =>
        Assert.NotNull(await RefusalAsync(Mario, password));

    // None of these was on the old list, nor contains the name or the email's name whole: only the estimator refuses them.
    [Theory]
    [InlineData("rossi mario 1980", PasswordRules.Personal)]
    [InlineData("Example.Rossi.2026", PasswordRules.Personal)]
    [InlineData("Sportello2026!", PasswordRules.ServiceName)]
    [InlineData("helpdesk12345", PasswordRules.ServiceName)]
    [InlineData("vesuvio2026cloud", PasswordRules.ServiceName)]
    [InlineData("iloveyou2026", PasswordRules.Common)]
    [InlineData("P@ssw0rd2026!", PasswordRules.Common)]
    [InlineData("monkey123monkey", PasswordRules.Common)]
    [InlineData("01/02/1990abcd", PasswordRules.Predictable)]
    [InlineData("aaaaaaaaaaaaab", PasswordRules.Predictable)]
    [InlineData("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", PasswordRules.Predictable)]
    public async Task GuessablePasswords_AreRefused_SayingWhy(string password, string reason) =>
        Assert.Equal(reason, await RefusalAsync(Mario, password));

    [Theory]
    [InlineData("the quiet lantern drifts north")]
    [InlineData("tall ships and stars")]
    [InlineData("customer passphrase 2026")]
    [InlineData("correct horse staple 2026")]
    [InlineData("demo-pass-2026!")]
    public async Task Passphrases_AreAccepted(string password) =>
        Assert.Null(await RefusalAsync(Mario, password));

    // Estimated whole, 5,000 characters would keep the estimator busy for hours.
    [Fact]
    public async Task AVeryLongPassword_IsJudgedByItsStart()
    {
        Assert.Null(await RefusalAsync(Mario, "amber kite ferry lantern " + new string('x', 5000)));
        Assert.Equal(PasswordRules.Predictable, await RefusalAsync(Mario, new string('7', 5000) + "amber kite ferry lantern"));
    }

    [Fact]
    public void EveryReason_HasAnItalianTranslation()
    {
        var italian = XDocument.Load(Path.Combine(SportelloProcess.RepoRoot, "src", "Sportello", "Web", "Text.it.resx")).Root!
            .Elements("data").Select(d => (string)d.Attribute("name")!).ToHashSet(StringComparer.Ordinal);
        var reasons = typeof(PasswordRules).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(string)).Select(f => (string)f.GetValue(null)!).ToList();
        Assert.Equal(5, reasons.Count);
        Assert.All(reasons, r => Assert.Contains(r, italian));
    }

    [Fact]
    public async Task CreateCustomer_WithAPasswordMadeOfTheirName_Returns400SayingWhy_AndCreatesNothing()
    {
        var admin = await app.AdminAsync();
        var email = $"giulia.bianchi.{Unique.Next()}@example.com";
        var refused = await admin.PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email, name = "Giulia Bianchi", password = "bianchi giulia 1985", country = "IT", language = "it", timeZone = "Europe/Rome",
        });
        var problem = await refused.JsonAsync(HttpStatusCode.BadRequest);
        Assert.Equal([PasswordRules.Personal], problem.GetProperty("errors").GetProperty("password").EnumerateArray().Select(e => e.GetString()));
        var signIn = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email, password = "bianchi giulia 1985" });
        Assert.Equal(HttpStatusCode.Unauthorized, signIn.StatusCode);

        // Too short is Identity's refusal alone, not a second one about guessing.
        var tooShort = await admin.PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email, name = "Giulia Bianchi", password = "qwertyuiop1", country = "IT", language = "it", timeZone = "Europe/Rome",
        });
        Assert.Equal(["Passwords must be at least 12 characters."],
            (await tooShort.JsonAsync(HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("password").EnumerateArray().Select(e => e.GetString()));

        await admin.CreateCustomerAsync(email, password: "amber kite ferry lantern");
        await app.SignInAsync(email, "amber kite ferry lantern");
    }

    [Fact]
    public async Task CreateAgent_WithTheServiceName_Returns400SayingWhy()
    {
        var admin = await app.AdminAsync();
        var refused = await admin.PostAsJsonAsync("/api/v1/admin/agents", new
        {
            email = $"new.agent.{Unique.Next()}@example.com", name = "New Agent", password = "sportello support 1", departments = new[] { "technical" },
        });
        var problem = await refused.JsonAsync(HttpStatusCode.BadRequest);
        Assert.Equal([PasswordRules.ServiceName], problem.GetProperty("errors").GetProperty("password").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task ChangePassword_OnTheAccountPage_SaysWhyInTheUsersLanguage()
    {
        var email = $"giulia.rossi.{Unique.Next()}@example.it";
        var admin = await app.AdminAsync();
        await (await admin.PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email, name = "Giulia Rossi", password = "customer passphrase 2026", country = "IT", language = "it", timeZone = "Europe/Rome",
        })).JsonAsync(HttpStatusCode.Created);
        var web = await app.SignInWebAsync(email, "customer passphrase 2026");

        foreach (var (weak, italian) in new[]
        {
            ("Giulia.Rossi.1985", "La password è troppo facile da indovinare: contiene il tuo nome o il tuo indirizzo e-mail."),
            ("iloveyou2026", "La password è troppo facile da indovinare: è fatta di password o parole comuni."),
        })
        {
            var refused = await ChangeAsync(web, weak);
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            var html = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());
            Assert.Contains(italian, html, StringComparison.Ordinal);
            Assert.DoesNotContain("too easy to guess", html, StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email, password = "iloveyou2026" })).StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await ChangeAsync(web, "tramonto sul lago di Garda")).StatusCode);
        await app.SignInAsync(email, "tramonto sul lago di Garda");
    }

    private static Task<HttpResponseMessage> ChangeAsync(HttpClient web, string newPassword) =>
        web.SubmitAsync("/account", "/account?handler=Password", new Dictionary<string, string>
        {
            ["Password.CurrentPassword"] = "customer passphrase 2026",
            ["Password.NewPassword"] = newPassword,
        });

    /// <summary>The rule alone, as the app configures it (12 characters at least) with another provider's name.</summary>
    private static async Task<string?> RefusalAsync(User user, string password)
    {
        var identity = new IdentityOptions();
        identity.Password.RequiredLength = 12;
        var rules = new PasswordRules(Options.Create(identity),
            Options.Create(new Sportello.Features.Billing.BillingOptions { SellerName = "Vesuvio Cloud S.p.A." }));
        var result = await rules.ValidateAsync(null!, user, password);
        return result.Succeeded ? null : Assert.Single(result.Errors, e => e.Code == "PasswordGuessable").Description;
    }
}
