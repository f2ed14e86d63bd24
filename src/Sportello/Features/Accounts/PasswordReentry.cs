using Microsoft.AspNetCore.Identity;

namespace Sportello.Features.Accounts;

public enum PasswordCheck
{
    Right,
    Wrong,
    LockedOut,
}

/// <summary>
/// The one rule for re-entering the password to change something (the password, the address, two-factor): a wrong
/// one counts towards the lockout exactly like a sign-in, so a stolen session cannot guess at leisure, and a locked
/// account takes no password at all until the lockout ends.
/// </summary>
public sealed class PasswordReentry(UserManager<User> users)
{
    public async Task<PasswordCheck> CheckAsync(User user, string? password)
    {
        if (await users.IsLockedOutAsync(user))
        {
            return PasswordCheck.LockedOut;
        }
        if (string.IsNullOrEmpty(password) || !await users.CheckPasswordAsync(user, password))
        {
            await users.AccessFailedAsync(user);
            return await users.IsLockedOutAsync(user) ? PasswordCheck.LockedOut : PasswordCheck.Wrong;
        }
        await users.ResetAccessFailedCountAsync(user);
        return PasswordCheck.Right;
    }
}
