using Microsoft.AspNetCore.Identity;
using OtpNet;

namespace Sportello.Features.Accounts;

/// <summary>TOTP (RFC 6238) second factor; a code is accepted once, never replayed.</summary>
public sealed class TwoFactor(UserManager<User> users, TimeProvider clock)
{
    public const string Issuer = "Sportello";

    /// <summary>Makes a new secret for the user (2FA stays off until a code is confirmed).</summary>
    public async Task<string> ResetKeyAsync(User user)
    {
        await users.ResetAuthenticatorKeyAsync(user);
        return (await users.GetAuthenticatorKeyAsync(user))!;
    }

    public static string OtpAuthUri(string key, string account) =>
        $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(account)}" +
        $"?secret={key}&issuer={Uri.EscapeDataString(Issuer)}&digits=6&period=30";

    /// <summary>True when the code is right for now (one step of drift either way) and newer than any spent code.</summary>
    public async Task<bool> VerifyAsync(User user, string? code)
    {
        var key = await users.GetAuthenticatorKeyAsync(user);
        var digits = new string((code ?? "").Where(char.IsAsciiDigit).ToArray());
        if (key is null || digits.Length != 6)
        {
            return false;
        }
        var totp = new Totp(Base32Encoding.ToBytes(key));
        if (!totp.VerifyTotp(clock.GetUtcNow().UtcDateTime, digits, out var step, new VerificationWindow(previous: 1, future: 1))
            || step <= user.LastTotpStep)
        {
            return false;
        }
        user.LastTotpStep = step;
        // The concurrency stamp makes two simultaneous uses of one code fail for all but one.
        return (await users.UpdateAsync(user)).Succeeded;
    }
}
