using Microsoft.AspNetCore.Identity;

namespace Sportello.Features.Accounts;

/// <summary>Refuses passwords that are long enough but still guessable: well-known ones, or ones built from the user's own name or address.</summary>
internal sealed class PasswordRules : IPasswordValidator<User>
{
    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "123456789012", "1234567890123", "12345678901234", "password1234", "password12345", "passwordpassword",
        "qwertyuiop12", "qwertyuiopasdf", "iloveyou1234", "111111111111", "000000000000", "aaaaaaaaaaaa",
        "abcdefghijkl", "abc123abc123", "letmein12345", "welcome12345", "changeme1234", "administrator",
        "sportello123", "sportello1234", "supportdesk1",
    };

    public Task<IdentityResult> ValidateAsync(UserManager<User> manager, User user, string? password)
    {
        if (password is null)
        {
            return Task.FromResult(IdentityResult.Success);
        }
        var local = user.Email?.Split('@')[0] ?? "";
        if (Common.Contains(password)
            || (local.Length >= 5 && password.Contains(local, StringComparison.OrdinalIgnoreCase))
            || (user.Name.Length >= 5 && password.Contains(user.Name.Replace(" ", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase)))
        {
            return Task.FromResult(IdentityResult.Failed(new IdentityError
            {
                Code = "PasswordGuessable",
                Description = "The password is too easy to guess: avoid common passwords and your own name or address.",
            }));
        }
        return Task.FromResult(IdentityResult.Success);
    }
}
