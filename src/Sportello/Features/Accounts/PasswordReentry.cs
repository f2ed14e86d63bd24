using Microsoft.AspNetCore.Identity;
using Sportello.Web;

namespace Sportello.Features.Accounts;

/// <summary>
/// The one rule for re-entering the password to change something (the password, the address, two-factor): a wrong
/// one counts towards the lockout exactly like a sign-in, so a stolen session cannot guess at leisure, and a locked
/// account takes no password at all until the lockout ends.
/// </summary>
public sealed class PasswordReentry(UserManager<User> users)
{
    /// <summary>True when <paramref name="password"/> is the user's; otherwise says why on <paramref name="field"/>.</summary>
    public async Task<bool> CheckAsync(User user, string? password, ValidationErrors errors, string field)
    {
        if (await users.IsLockedOutAsync(user))
        {
            errors.Add(field, "Too many wrong passwords: try again later.");
            return false;
        }
        if (string.IsNullOrEmpty(password) || !await users.CheckPasswordAsync(user, password))
        {
            await users.AccessFailedAsync(user);
            if (await users.IsLockedOutAsync(user))
            {
                errors.Add(field, "Too many wrong passwords: try again later.");
            }
            else
            {
                errors.Add(field, "The password is wrong.");
            }
            return false;
        }
        await users.ResetAccessFailedCountAsync(user);
        return true;
    }
}
