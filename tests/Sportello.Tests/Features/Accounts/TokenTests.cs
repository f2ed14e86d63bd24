using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OtpNet;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Accounts;

[Trait("Category", "Data")]
public sealed partial class TokenTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    [Fact]
    public async Task Token_WrongPassword_Returns401()
    {
        await (await app.AdminAsync()).CreateCustomerAsync("wrongpw@example.com");
        var response = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = "wrongpw@example.com", password = "not the password" });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var unknown = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = "nobody@example.com", password = "whatever it is" });
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
    }

    [Fact]
    public async Task Token_MissingFields_Returns400NamingThem()
    {
        var response = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = "someone@example.com" });
        await response.AssertNamesFieldAsync("password");
    }

    [Fact]
    public async Task Token_AfterItsLifetime_Returns401()
    {
        await (await app.AdminAsync()).CreateCustomerAsync("expiring@example.com");
        var body = await (await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token",
            new { email = "expiring@example.com", password = "customer passphrase 2026" })).JsonAsync(HttpStatusCode.OK);
        var token = body.GetProperty("token").GetString()!;
        var expiresAt = body.GetProperty("expiresAt").GetDateTime();
        Assert.Equal(app.Clock.GetUtcNow().UtcDateTime.AddDays(30), expiresAt);
        Assert.Equal(HttpStatusCode.OK, (await app.WithToken(token).GetAsync("/api/v1/me")).StatusCode);

        app.Clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.WithToken(token).GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Token_Revoked_Returns401()
    {
        await (await app.AdminAsync()).CreateCustomerAsync("revoking@example.com");
        var client = await app.SignInAsync("revoking@example.com", "customer passphrase 2026");
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/v1/auth/token")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Token_RevokedFromAccountPage_Returns401()
    {
        await (await app.AdminAsync()).CreateCustomerAsync("pagerevoke@example.com");
        var api = await app.SignInAsync("pagerevoke@example.com", "customer passphrase 2026");
        var web = await app.SignInWebAsync("pagerevoke@example.com", "customer passphrase 2026");
        var html = await web.GetPageAsync("/account");
        var tokenId = RevokeForm().Match(html).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(tokenId), "The account page should list the token with a revoke button.");
        var revoked = await web.SubmitAsync("/account", $"/account?handler=RevokeToken&tokenId={tokenId}", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Token_RepeatedFailures_LockTheAccountEvenForTheRightPassword()
    {
        await (await app.AdminAsync()).CreateCustomerAsync("locked@example.com");
        for (var i = 0; i < 5; i++)
        {
            var wrong = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = "locked@example.com", password = $"wrong guess {i}" });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        var right = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = "locked@example.com", password = "customer passphrase 2026" });
        var problem = await right.JsonAsync(HttpStatusCode.Unauthorized);
        Assert.True(problem.GetProperty("lockedOut").GetBoolean());
    }

    [Fact]
    public async Task Lockout_StopsPasswordSignInAndReentry_TokensKeepWorking_UntilThePasswordChanges()
    {
        await (await app.AdminAsync()).CreateCustomerAsync("integrations@example.com");
        var script = await app.SignInAsync("integrations@example.com", "customer passphrase 2026");
        var web = await app.SignInWebAsync("integrations@example.com", "customer passphrase 2026");
        // Someone who knows the address guesses until the account locks.
        for (var i = 0; i < 5; i++)
        {
            await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = "integrations@example.com", password = $"attacker guess {i}" });
        }
        var right = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = "integrations@example.com", password = "customer passphrase 2026" });
        Assert.True((await right.JsonAsync(HttpStatusCode.Unauthorized)).GetProperty("lockedOut").GetBoolean());

        // The integration's token is not the attacker's to disable.
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/api/v1/me")).StatusCode);

        // Re-entering the password is a sign-in too: while locked, even the owner's session waits out the lockout.
        var locked = await web.SubmitAsync("/account", "/account?handler=Password", new Dictionary<string, string>
        {
            ["Password.CurrentPassword"] = "customer passphrase 2026",
            ["Password.NewPassword"] = "a brand new passphrase",
        });
        Assert.Contains("Too many wrong passwords", await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // The lockout ends (Identity stamps its end from the system clock, not the test clock: ended here directly).
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
            var owner = (await users.FindByEmailAsync("integrations@example.com"))!;
            Assert.True(await users.IsLockedOutAsync(owner));
            await users.SetLockoutEndDateAsync(owner, null);
        }

        var changed = await web.SubmitAsync("/account", "/account?handler=Password", new Dictionary<string, string>
        {
            ["Password.CurrentPassword"] = "customer passphrase 2026",
            ["Password.NewPassword"] = "a brand new passphrase",
        });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await script.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task PasswordChange_RevokesTokensAndEndsOtherSessions()
    {
        await (await app.AdminAsync()).CreateCustomerAsync("changer@example.com");
        var api = await app.SignInAsync("changer@example.com", "customer passphrase 2026");
        var otherBrowser = await app.SignInWebAsync("changer@example.com", "customer passphrase 2026");
        var web = await app.SignInWebAsync("changer@example.com", "customer passphrase 2026");
        var changed = await web.SubmitAsync("/account", "/account?handler=Password", new Dictionary<string, string>
        {
            ["Password.CurrentPassword"] = "customer passphrase 2026",
            ["Password.NewPassword"] = "a brand new passphrase",
        });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/me")).StatusCode);
        var stale = await otherBrowser.GetAsync("/account");
        Assert.Equal(HttpStatusCode.Redirect, stale.StatusCode);
        Assert.Equal("/signin", stale.Headers.Location!.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/account")).StatusCode);
        await app.SignInAsync("changer@example.com", "a brand new passphrase");
    }

    [Fact]
    public async Task TwoFactor_TurnedOnFromAccountPage_TokenNeedsTheCode_AndACodeWorksOnce()
    {
        await (await app.AdminAsync()).CreateCustomerAsync("totp@example.com");
        var web = await app.SignInWebAsync("totp@example.com", "customer passphrase 2026");
        var setup = await StartTwoFactorAsync(web);
        var key = KeyOnPage().Match(setup).Groups[1].Value.Replace(" ", "", StringComparison.Ordinal);
        var totp = new Totp(Base32Encoding.ToBytes(key));
        var enabled = await web.PostAsync("/account/two-factor", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Code"] = totp.ComputeTotp(app.Clock.GetUtcNow().UtcDateTime),
            ["__RequestVerificationToken"] = WebForms.AntiforgeryToken(setup),
        }));
        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        Assert.Contains("Recovery codes", await enabled.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var noCode = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = "totp@example.com", password = "customer passphrase 2026" });
        Assert.True((await noCode.JsonAsync(HttpStatusCode.Unauthorized)).GetProperty("totpRequired").GetBoolean());

        app.Clock.Advance(TimeSpan.FromSeconds(30));
        var code = totp.ComputeTotp(app.Clock.GetUtcNow().UtcDateTime);
        var first = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = "totp@example.com", password = "customer passphrase 2026", totpCode = code });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var replay = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = "totp@example.com", password = "customer passphrase 2026", totpCode = code });
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
    }

    [Fact]
    public async Task SignIn_PasswordHashedWithFewerIterations_IsRehashedWithTheConfiguredCount()
    {
        await (await app.AdminAsync()).CreateCustomerAsync("oldhash@example.com");
        using (var scope = app.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
            var user = (await users.FindByEmailAsync("oldhash@example.com"))!;
            var weak = new PasswordHasher<User>(Options.Create(new PasswordHasherOptions { IterationCount = 10 }));
            user.PasswordHash = weak.HashPassword(user, "customer passphrase 2026");
            await users.UpdateAsync(user);
            Assert.Equal(10, IterationsOf(user.PasswordHash));
        }
        await app.SignInAsync("oldhash@example.com", "customer passphrase 2026");
        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            var hash = await db.Users.Where(u => u.Email == "oldhash@example.com").Select(u => u.PasswordHash).SingleAsync();
            Assert.Equal(1000, IterationsOf(hash!));
        }
    }

    [Fact]
    public async Task WebSignIn_WithTwoFactor_AsksForTheCodeThenSignsIn()
    {
        await (await app.AdminAsync()).CreateCustomerAsync("web2fa@example.com");
        var setupClient = await app.SignInWebAsync("web2fa@example.com", "customer passphrase 2026");
        var setup = await StartTwoFactorAsync(setupClient);
        var totp = new Totp(Base32Encoding.ToBytes(KeyOnPage().Match(setup).Groups[1].Value.Replace(" ", "", StringComparison.Ordinal)));
        await setupClient.PostAsync("/account/two-factor", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Code"] = totp.ComputeTotp(app.Clock.GetUtcNow().UtcDateTime),
            ["__RequestVerificationToken"] = WebForms.AntiforgeryToken(setup),
        }));
        app.Clock.Advance(TimeSpan.FromSeconds(30));

        var browser = app.Anonymous();
        var password = await browser.SubmitAsync("/signin", "/signin", new Dictionary<string, string>
        {
            ["Input.Email"] = "web2fa@example.com", ["Input.Password"] = "customer passphrase 2026",
        });
        Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
        Assert.StartsWith("/signin/code", password.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/account")).StatusCode);

        var wrong = await browser.SubmitAsync("/signin/code", "/signin/code", new Dictionary<string, string> { ["Code"] = "000000" });
        Assert.Contains("not valid", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var right = await browser.SubmitAsync("/signin/code", "/signin/code", new Dictionary<string, string>
        {
            ["Code"] = totp.ComputeTotp(app.Clock.GetUtcNow().UtcDateTime),
        });
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account")).StatusCode);
    }

    [Fact]
    public async Task WrongCurrentPasswords_OnTheAccountPage_CountTowardsTheLockout_LikeSignIn()
    {
        await (await app.AdminAsync()).CreateCustomerAsync("reentry@example.com");
        var web = await app.SignInWebAsync("reentry@example.com", "customer passphrase 2026");
        for (var i = 0; i < 5; i++)
        {
            var guess = await web.SubmitAsync("/account", "/account?handler=Password", new Dictionary<string, string>
            {
                ["Password.CurrentPassword"] = $"a stolen session guesses {i}",
                ["Password.NewPassword"] = "the attacker's new passphrase",
            });
            Assert.Equal(HttpStatusCode.OK, guess.StatusCode);
        }
        // Locked: the right password changes nothing now, and signing in waits too.
        var right = await web.SubmitAsync("/account", "/account?handler=Password", new Dictionary<string, string>
        {
            ["Password.CurrentPassword"] = "customer passphrase 2026",
            ["Password.NewPassword"] = "the attacker's new passphrase",
        });
        Assert.Contains("Too many wrong passwords", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var signIn = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = "reentry@example.com", password = "customer passphrase 2026" });
        Assert.True((await signIn.JsonAsync(HttpStatusCode.Unauthorized)).GetProperty("lockedOut").GetBoolean());
        var theirs = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = "reentry@example.com", password = "the attacker's new passphrase" });
        Assert.Equal(HttpStatusCode.Unauthorized, theirs.StatusCode);
    }

    [Fact]
    public async Task TurningTwoFactorOff_NeedsThePasswordAndACurrentCode()
    {
        await (await app.AdminAsync()).CreateCustomerAsync("tfa-off@example.com");
        var web = await app.SignInWebAsync("tfa-off@example.com", "customer passphrase 2026");
        var setup = await StartTwoFactorAsync(web);
        var totp = new Totp(Base32Encoding.ToBytes(KeyOnPage().Match(setup).Groups[1].Value.Replace(" ", "", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.OK, (await web.PostAsync("/account/two-factor", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Code"] = totp.ComputeTotp(app.Clock.GetUtcNow().UtcDateTime),
            ["__RequestVerificationToken"] = WebForms.AntiforgeryToken(setup),
        }))).StatusCode);

        var passwordOnly = await web.SubmitAsync("/account", "/account?handler=DisableTwoFactor", new Dictionary<string, string> { ["password"] = "customer passphrase 2026" });
        Assert.Equal(HttpStatusCode.OK, passwordOnly.StatusCode);
        Assert.Contains("The code is not right", await passwordOnly.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var noCode = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = "tfa-off@example.com", password = "customer passphrase 2026" });
        Assert.True((await noCode.JsonAsync(HttpStatusCode.Unauthorized)).GetProperty("totpRequired").GetBoolean());

        app.Clock.Advance(TimeSpan.FromSeconds(30));
        var off = await web.SubmitAsync("/account", "/account?handler=DisableTwoFactor", new Dictionary<string, string>
        {
            ["password"] = "customer passphrase 2026",
            ["code"] = totp.ComputeTotp(app.Clock.GetUtcNow().UtcDateTime),
        });
        Assert.Equal(HttpStatusCode.Redirect, off.StatusCode);
        await app.SignInAsync("tfa-off@example.com", "customer passphrase 2026");
    }

    private static async Task<string> StartTwoFactorAsync(HttpClient web)
    {
        var page = await web.GetPageAsync("/account/two-factor");
        Assert.DoesNotContain("authenticator-key", page, StringComparison.Ordinal);
        var started = await web.SubmitAsync("/account/two-factor", "/account/two-factor?handler=Start", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        return await started.Content.ReadAsStringAsync();
    }

    // ASP.NET Identity v3 hash: 0x01, PRF (4 bytes), iteration count (4 bytes, big-endian), ...
    private static int IterationsOf(string hash) =>
        System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(Convert.FromBase64String(hash).AsSpan(5, 4));

    [GeneratedRegex("tokenId=([0-9a-f-]{36})")]
    private static partial Regex RevokeForm();

    [GeneratedRegex("id=\"authenticator-key\">([A-Z2-7 ]+)<")]
    private static partial Regex KeyOnPage();
}

public sealed class ThrottledApp : SportelloApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Sportello:RateLimits:SignIn:PermitLimit"] = "3",
    };
}

[Trait("Category", "Data")]
public sealed class SignInThrottleTests(ThrottledApp app) : IClassFixture<ThrottledApp>
{
    [Fact]
    public async Task Token_TooManyAttempts_Returns429WithRetryAfter()
    {
        for (var i = 0; i < 3; i++)
        {
            var attempt = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = "target@example.com", password = $"guess number {i}" });
            Assert.Equal(HttpStatusCode.Unauthorized, attempt.StatusCode);
        }
        var blocked = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = "target@example.com", password = "guess number 4" });
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.True(blocked.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }
}
