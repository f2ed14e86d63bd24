using Microsoft.AspNetCore.Identity;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Accounts;

/// <summary>
/// Changing the password (with the current one, which counts towards the lockout) ends every other session, revokes every
/// API token and cancels a pending change of the registered address.
/// </summary>
public sealed class ChangePassword(SportelloDb db, UserManager<User> users, ApiTokens tokens, PasswordReentry reentry, ChangeEmail changeEmail)
{
    public async Task<ValidationErrors> HandleAsync(User user, string? currentPassword, string? newPassword, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrEmpty(currentPassword))
        {
            errors.Add("currentPassword", "Enter your current password.");
        }
        if (string.IsNullOrEmpty(newPassword))
        {
            errors.Add("newPassword", "Enter a new password.");
        }
        if (errors.Any)
        {
            return errors;
        }
        // A wrong current password counts towards the lockout, as at sign-in.
        if (!await reentry.CheckAsync(user, currentPassword, errors, "currentPassword"))
        {
            return errors;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Also renews the security stamp, which ends the user's other cookie sessions.
        var result = await users.ChangePasswordAsync(user, currentPassword!, newPassword!);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                errors.Add(error.Code == nameof(IdentityErrorDescriber.PasswordMismatch) ? "currentPassword" : "newPassword", error.Description);
            }
            return errors;
        }
        await tokens.RevokeAllAsync(user.Id, cancellationToken);
        await changeEmail.CancelPendingAsync(user.Id, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return errors;
    }
}
