using Microsoft.AspNetCore.Identity;

namespace Sportello.Features.Accounts;

public enum SignInOutcome
{
    Success,
    Failed,
    LockedOut,
    SecondFactorRequired,
    Throttled,
}

public sealed record SignInAttempt(SignInOutcome Outcome, User? User = null, TimeSpan? RetryAfter = null);

/// <summary>The one place that checks a password (with throttling, lockout and rehash) and a second factor.</summary>
public sealed class PasswordSignIn(UserManager<User> users, SignInManager<User> signIn, TwoFactor twoFactor, SignInThrottle throttle)
{
    /// <summary>Checks email and password; with <paramref name="totpCode"/> also the second factor when the user has one.</summary>
    public async Task<SignInAttempt> CheckAsync(string? clientIp, string email, string password, string? totpCode, bool secondFactorLater = false)
    {
        if (throttle.TryAttempt(clientIp, email) is { } wait)
        {
            return new SignInAttempt(SignInOutcome.Throttled, RetryAfter: wait);
        }
        var user = await users.FindByEmailAsync(email.Trim());
        if (user is null)
        {
            return new SignInAttempt(SignInOutcome.Failed);
        }
        // Counts failures, locks out, and rehashes a password stored with fewer iterations.
        var result = await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
        if (result.IsLockedOut)
        {
            return new SignInAttempt(SignInOutcome.LockedOut);
        }
        if (!result.Succeeded)
        {
            return new SignInAttempt(SignInOutcome.Failed);
        }
        if (!user.TwoFactorEnabled)
        {
            return new SignInAttempt(SignInOutcome.Success, user);
        }
        if (secondFactorLater || string.IsNullOrWhiteSpace(totpCode))
        {
            return new SignInAttempt(SignInOutcome.SecondFactorRequired, user);
        }
        return await CheckSecondFactorAsync(user, totpCode);
    }

    /// <summary>A TOTP code, or one of the user's recovery codes (each works once).</summary>
    public async Task<SignInAttempt> CheckSecondFactorAsync(User user, string code)
    {
        if (await users.IsLockedOutAsync(user))
        {
            return new SignInAttempt(SignInOutcome.LockedOut);
        }
        var ok = await twoFactor.VerifyAsync(user, code)
            || (code.Trim().Length > 6 && (await users.RedeemTwoFactorRecoveryCodeAsync(user, code.Trim())).Succeeded);
        if (ok)
        {
            await users.ResetAccessFailedCountAsync(user);
            return new SignInAttempt(SignInOutcome.Success, user);
        }
        await users.AccessFailedAsync(user);
        return new SignInAttempt(await users.IsLockedOutAsync(user) ? SignInOutcome.LockedOut : SignInOutcome.Failed, user);
    }
}
