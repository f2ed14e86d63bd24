using Microsoft.AspNetCore.Identity;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Accounts;

/// <summary>Changing the password ends every other session and revokes every API token.</summary>
public sealed class ChangePassword(SportelloDb db, UserManager<User> users, ApiTokens tokens)
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
        await transaction.CommitAsync(cancellationToken);
        return errors;
    }
}
