using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.CannedAnswers;

/// <summary>Admins list, add, change and remove canned answers; every rule about what one may hold is here.</summary>
public sealed class ManageCannedAnswers(SportelloDb db, TimeProvider clock)
{
    public const int MaxTitle = 100;
    public const int MaxBody = 4000;
    public const int MaxKeywords = 20;
    public const int MaxKeyword = 40;

    public Task<List<CannedAnswer>> ListAsync(CancellationToken cancellationToken = default) =>
        db.CannedAnswers.AsNoTracking().OrderBy(a => a.Title).ThenBy(a => a.Id).ToListAsync(cancellationToken);

    public Task<int> CountAsync(CancellationToken cancellationToken = default) => db.CannedAnswers.CountAsync(cancellationToken);

    public Task<CannedAnswer?> FindAsync(Guid id, CancellationToken cancellationToken = default) =>
        db.CannedAnswers.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken);

    public async Task<Outcome<CannedAnswer>> AddAsync(CannedAnswerRequest request, CancellationToken cancellationToken = default)
    {
        var answer = new CannedAnswer { CreatedAt = clock.GetUtcNow().UtcDateTime };
        if (Apply(answer, request) is { } invalid)
        {
            return invalid;
        }
        db.CannedAnswers.Add(answer);
        await db.SaveChangesAsync(cancellationToken);
        return Outcome<CannedAnswer>.Ok(answer);
    }

    /// <summary>Null when there is no such answer (404).</summary>
    public async Task<Outcome<CannedAnswer>?> ChangeAsync(Guid id, CannedAnswerRequest request, CancellationToken cancellationToken = default)
    {
        if (await db.CannedAnswers.FirstOrDefaultAsync(a => a.Id == id, cancellationToken) is not { } answer)
        {
            return null;
        }
        if (Apply(answer, request) is { } invalid)
        {
            return invalid;
        }
        await db.SaveChangesAsync(cancellationToken);
        return Outcome<CannedAnswer>.Ok(answer);
    }

    public async Task<bool> RemoveAsync(Guid id, CancellationToken cancellationToken = default) =>
        await db.CannedAnswers.Where(a => a.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;

    /// <summary>Words as stored: lower case, trimmed, no duplicates; "#" and "/" in front are dropped (agents type "/refund").</summary>
    public static List<string> Words(IEnumerable<string?> words) =>
        [.. words.SelectMany(w => (w ?? "").Split([' ', ',', ';', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries))
            .Select(w => w.TrimStart('/', '#').ToLowerInvariant()).Where(w => w.Length > 0).Distinct()];

    private Outcome<CannedAnswer>? Apply(CannedAnswer answer, CannedAnswerRequest request)
    {
        var errors = new ValidationErrors();
        var title = request.Title?.Trim();
        if (string.IsNullOrEmpty(title))
        {
            errors.Add("title", "title is required.");
        }
        else if (title.Length > MaxTitle)
        {
            errors.Add("title", "title is at most {0} characters.", MaxTitle);
        }
        var en = Body(errors, "bodyEn", request.BodyEn);
        var it = Body(errors, "bodyIt", request.BodyIt);
        if (en is null && it is null && !errors.Has("bodyEn") && !errors.Has("bodyIt"))
        {
            errors.Add("bodyEn", "Write the answer in English, Italian or both.");
        }
        var keywords = Words(request.Keywords ?? []);
        if (keywords.Count > MaxKeywords)
        {
            errors.Add("keywords", "At most {0} keywords.", MaxKeywords);
        }
        else if (keywords.Any(k => k.Length > MaxKeyword || k.Any(char.IsControl)))
        {
            errors.Add("keywords", "A keyword is one word of at most {0} characters.", MaxKeyword);
        }
        var department = string.IsNullOrWhiteSpace(request.Department) ? null : request.Department.Trim().ToLowerInvariant();
        if (department is not null && !Departments.All.Contains(department))
        {
            errors.Add("department", "department must be 'technical', 'financial' or empty (every department).");
        }
        if (errors.Any)
        {
            return Outcome<CannedAnswer>.Invalid(errors);
        }
        answer.Title = title!;
        answer.BodyEn = en;
        answer.BodyIt = it;
        answer.Keywords = string.Join(' ', keywords);
        answer.Department = department;
        answer.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        return null;
    }

    private static string? Body(ValidationErrors errors, string field, string? value)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (text.Length > MaxBody)
        {
            errors.Add(field, "{0} is at most {1} characters.", field, MaxBody);
        }
        return text;
    }
}
