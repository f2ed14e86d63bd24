using System.Text;

namespace Sportello.Features.Search;

/// <summary>Where a match stands in a snippet, in UTF-16 code units of the snippet.</summary>
public sealed record Highlight(int Start, int Length);

/// <summary>A passage of a found text, as plain text, and the matching words in it: never markup built from the text.</summary>
public sealed record Snippet(string Text, IReadOnlyList<Highlight> Highlights)
{
    public const int Width = 200;
    private const int Before = 60;
    public static readonly Snippet Empty = new("", []);

    /// <summary>
    /// The passage around the first match in the first of <paramref name="texts"/> that has one (texts in order of
    /// preference), with every matching word of the passage highlighted; else the start of the first non-empty text.
    /// A word matches when its English or Italian stem is a stem of a word of the query.
    /// </summary>
    public static Snippet Of(SearchQuery query, IEnumerable<string?> texts)
    {
        var english = query.Terms.SelectMany(t => t.Words).Select(w => w.English).ToHashSet(StringComparer.Ordinal);
        var italian = query.Terms.SelectMany(t => t.Words).Select(w => w.Italian).ToHashSet(StringComparer.Ordinal);
        string? first = null;
        foreach (var text in texts)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            first ??= text;
            var matches = SearchText.Words(text).Where(w => english.Contains(w.English) || italian.Contains(w.Italian)).ToList();
            if (matches.Count > 0)
            {
                return Around(text, matches, matches[0].Start);
            }
        }
        return first is null ? Empty : Around(first, [], 0);
    }

    private static Snippet Around(string text, List<Word> matches, int at)
    {
        var start = Math.Max(0, at - Before);
        if (start > 0)
        {
            // Begin at a word's start: after the first space in the lead-in, if there is one.
            var space = text.IndexOfAny([' ', '\n', '\t'], start, at - start);
            start = space >= 0 ? space + 1 : start;
        }
        var end = Math.Min(text.Length, start + Width);
        if (end < text.Length)
        {
            var space = text.LastIndexOfAny([' ', '\n', '\t'], end - 1, end - at);
            end = space > at ? space : end;
        }
        // Never cut a character in two.
        if (start > 0 && char.IsLowSurrogate(text[start]))
        {
            start++;
        }
        if (end < text.Length && end > start && char.IsHighSurrogate(text[end - 1]))
        {
            end--;
        }
        var prefix = start > 0 ? "… " : "";
        var snippet = new StringBuilder(prefix.Length + (end - start) + 2).Append(prefix);
        // Line breaks and other controls become spaces, one for one, so the offsets stay those of the text.
        for (var i = start; i < end; i++)
        {
            snippet.Append(char.IsControl(text[i]) ? ' ' : text[i]);
        }
        if (end < text.Length)
        {
            snippet.Append(" …");
        }
        var highlights = matches.Where(m => m.Start >= start && m.Start < end)
            .Select(m => new Highlight(prefix.Length + m.Start - start, Math.Min(m.Length, end - m.Start))).ToList();
        return new Snippet(snippet.ToString(), highlights);
    }

    /// <summary>The snippet cut into plain and highlighted runs, for a page to encode each (the page never builds markup from the text).</summary>
    public IEnumerable<(string Text, bool Highlighted)> Runs()
    {
        var at = 0;
        foreach (var highlight in Highlights.OrderBy(h => h.Start))
        {
            if (highlight.Start < at)
            {
                continue;
            }
            if (highlight.Start > at)
            {
                yield return (Text[at..highlight.Start], false);
            }
            yield return (Text.Substring(highlight.Start, highlight.Length), true);
            at = highlight.Start + highlight.Length;
        }
        if (at < Text.Length)
        {
            yield return (Text[at..], false);
        }
    }
}
