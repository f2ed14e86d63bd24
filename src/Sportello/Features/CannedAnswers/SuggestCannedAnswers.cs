using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;

namespace Sportello.Features.CannedAnswers;

/// <summary>
/// The canned answers an agent may use, best first: those for the agent's departments (or for all), matching what is
/// typed. A keyword equal to a typed word counts most, then a keyword it begins, then the title containing it. With
/// nothing typed, none. The text comes in the language asked, else the other one.
/// </summary>
public sealed class SuggestCannedAnswers(SportelloDb db, DeskAccess desk)
{
    public const int Limit = 5;

    public async Task<List<CannedSuggestion>> HandleAsync(Guid userId, string? typed, string? language, string? department = null, CancellationToken cancellationToken = default)
    {
        var words = ManageCannedAnswers.Words([typed?.Length > 500 ? typed[..500] : typed]);
        if (words.Count == 0)
        {
            return [];
        }
        var scope = await desk.ScopeAsync(userId, cancellationToken);
        var departments = scope.IsAdmin ? Departments.All.ToList() : scope.Departments.ToList();
        if (department is not null)
        {
            departments = departments.Where(d => d == department).ToList();
        }
        // Answers are few (tens, hundreds): scored here, in one pass.
        var answers = await db.CannedAnswers.AsNoTracking()
            .Where(a => a.Department == null || departments.Contains(a.Department)).ToListAsync(cancellationToken);
        return answers
            .Select(a => (Answer: a, Score: Score(a, words)))
            .Where(x => x.Score > 0)
            .OrderByDescending(x => x.Score).ThenBy(x => x.Answer.Title, StringComparer.CurrentCultureIgnoreCase)
            .Take(Limit)
            .Select(x => new CannedSuggestion(x.Answer.Id, x.Answer.Title, x.Answer.BodyIn(language)))
            .ToList();
    }

    private static int Score(CannedAnswer answer, List<string> words)
    {
        var keywords = answer.Keywords.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var score = 0;
        foreach (var word in words)
        {
            if (keywords.Contains(word))
            {
                score += 3;
            }
            else if (word.Length >= 2 && keywords.Any(k => k.StartsWith(word, StringComparison.Ordinal)))
            {
                score += 2;
            }
            else if (word.Length >= 3 && answer.Title.Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                score += 1;
            }
        }
        return score;
    }
}
