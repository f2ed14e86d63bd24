using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Zxcvbn.Matcher;

namespace Sportello.Features.Accounts;

/// <summary>
/// Refuses passwords that are long enough but still guessable, by zxcvbn's estimate: a score under 3 (about 10^6 seconds
/// of offline guessing), where the user's own name and address and this service's names are the first words tried.
/// The refusal says why in one of a few fixed sentences, which pages translate like every validation message.
/// </summary>
internal sealed class PasswordRules(IOptions<IdentityOptions> identity, IOptions<Billing.BillingOptions> billing) : IPasswordValidator<User>
{
    public const int MinimumScore = 3;

    /// <summary>zxcvbn's time grows much faster than the length (seconds at 1,000 characters): a longer password is judged by its start.</summary>
    public const int EstimatedLength = 64;

    public const string Personal = "The password is too easy to guess: it contains your name or email address.";
    public const string ServiceName = "The password is too easy to guess: it contains the name of this service.";
    public const string Common = "The password is too easy to guess: it is made of common passwords or words.";
    public const string Predictable = "The password is too easy to guess: it follows a predictable pattern (sequences, repeats, dates, keyboard rows).";
    public const string Short = "The password is too easy to guess: make it longer, for instance with a few more words.";

    private static readonly string[] ProductWords = ["sportello", "support", "helpdesk"];

    // One estimator for all: it loads its word lists once (a fresh one per password is ten times slower).
    private static readonly Zxcvbn.Zxcvbn Estimator = new();

    public Task<IdentityResult> ValidateAsync(UserManager<User> manager, User user, string? password)
    {
        // Shorter than the minimum is Identity's own refusal, with its own message.
        if (password is null || password.Length < identity.Value.Password.RequiredLength)
        {
            return Task.FromResult(IdentityResult.Success);
        }
        var own = OwnWords(user);
        var service = ProductWords.Concat(Words(billing.Value.SellerName)).Except(own).ToList();
        var result = Estimator.EvaluatePassword(password.Length > EstimatedLength ? password[..EstimatedLength] : password, own.Concat(service));
        if (result.Score >= MinimumScore)
        {
            return Task.FromResult(IdentityResult.Success);
        }
        return Task.FromResult(IdentityResult.Failed(new IdentityError { Code = "PasswordGuessable", Description = Reason(result.MatchSequence, own) }));
    }

    /// <summary>The user's name and address, whole and word by word: what someone who knows the user tries first.</summary>
    private static HashSet<string> OwnWords(User user)
    {
        var email = user.Email ?? "";
        var at = email.LastIndexOf('@');
        var local = at < 0 ? email : email[..at];
        return [.. new[] { user.Name, user.Name.Replace(" ", "", StringComparison.Ordinal), email, local, at < 0 ? "" : email[(at + 1)..] }
            .Select(w => w.Trim().ToLowerInvariant())
            .Concat(Words(user.Name)).Concat(Words(email))
            .Where(w => w.Length >= 3)];
    }

    private static IEnumerable<string> Words(string text) =>
        new string([.. text.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : ' ')])
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length >= 3);

    /// <summary>Why, from the cheapest way to guess it: the user's own words first, then whichever of words or patterns covers more.</summary>
    private static string Reason(IList<Zxcvbn.Match> matches, HashSet<string> own)
    {
        var words = matches.OfType<DictionaryMatch>().ToList();
        var known = words.Where(w => w.DictionaryName == "user_inputs").ToList();
        if (known.Count > 0)
        {
            return known.Any(w => own.Contains(w.MatchedWord)) ? Personal : ServiceName;
        }
        var inWords = words.Sum(w => w.Token.Length);
        var inPatterns = matches.Where(m => m is not DictionaryMatch && m.Pattern != "bruteforce").Sum(m => m.Token.Length);
        return inWords == 0 && inPatterns == 0 ? Short : inWords >= inPatterns ? Common : Predictable;
    }
}
