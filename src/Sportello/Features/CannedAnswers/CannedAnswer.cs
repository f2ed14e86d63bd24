using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Sportello.Features.CannedAnswers;

/// <summary>
/// A ready answer for chat (and, by copy, anything else an agent writes): a title, the text in English and in Italian,
/// keywords that suggest it, and optionally the one department it is for. Admins manage them.
/// </summary>
public sealed class CannedAnswer
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Title { get; set; } = "";
    public string? BodyEn { get; set; }
    public string? BodyIt { get; set; }
    /// <summary>Lower-case words, separated by single spaces.</summary>
    public string Keywords { get; set; } = "";
    /// <summary>Null: every department.</summary>
    public string? Department { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>The text in <paramref name="language"/>, else in the other language (one of the two is always there).</summary>
    public string BodyIn(string? language) => (language == "it" ? BodyIt ?? BodyEn : BodyEn ?? BodyIt) ?? "";
}

internal sealed class CannedAnswerConfiguration : IEntityTypeConfiguration<CannedAnswer>
{
    public void Configure(EntityTypeBuilder<CannedAnswer> answer)
    {
        answer.ToTable("CannedAnswers");
        answer.HasKey(a => a.Id);
        answer.Property(a => a.Title).HasMaxLength(ManageCannedAnswers.MaxTitle).IsRequired();
        answer.Property(a => a.BodyEn).HasMaxLength(ManageCannedAnswers.MaxBody);
        answer.Property(a => a.BodyIt).HasMaxLength(ManageCannedAnswers.MaxBody);
        answer.Property(a => a.Keywords).HasMaxLength(1000).IsRequired();
        answer.Property(a => a.Department).HasMaxLength(20);
        answer.HasIndex(a => a.Title);
    }
}

public sealed record CannedAnswerRequest(string? Title, string? BodyEn, string? BodyIt, IReadOnlyList<string>? Keywords, string? Department);

public sealed record CannedAnswerView(Guid Id, string Title, string? BodyEn, string? BodyIt, IReadOnlyList<string> Keywords, string? Department, DateTime UpdatedAt)
{
    public static CannedAnswerView From(CannedAnswer a) =>
        new(a.Id, a.Title, a.BodyEn, a.BodyIt, a.Keywords.Split(' ', StringSplitOptions.RemoveEmptyEntries), a.Department, a.UpdatedAt);
}

/// <summary>A suggestion for an agent: the answer's text in the language asked.</summary>
public sealed record CannedSuggestion(Guid Id, string Title, string Body);
