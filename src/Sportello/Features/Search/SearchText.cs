using System.Globalization;
using System.Text;
using Lucene.Net.Tartarus.Snowball.Ext;

namespace Sportello.Features.Search;

/// <summary>One word of a text: where it stands (for highlights) and its English and Italian stems.</summary>
public readonly record struct Word(int Start, int Length, string English, string Italian);

/// <summary>
/// The one analyzer of search, for documents and queries alike, on both databases: a word is a run of letters and
/// digits; it is lower-cased, its accents folded (<c>perché</c> is <c>perche</c>), and stemmed twice, in English and
/// in Italian (the Snowball stemmers), because a message carries no language. Words with a digit are kept whole
/// (numbers, references, parts of addresses). Everything else (punctuation, quotes, operators) only separates words,
/// so no character of a text or a query is ever syntax to the database.
/// </summary>
public static class SearchText
{
    /// <summary>Longer runs (a pasted key, a base64 line) are cut here, on both sides alike.</summary>
    public const int MaxWordLength = 48;

    /// <summary>Stems already computed: a language's words repeat, and stemming is most of the analyzer's time.</summary>
    private const int MaxRemembered = 200_000;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string English, string Italian)> Remembered = new(StringComparer.Ordinal);

    private static readonly System.Buffers.SearchValues<char> AsciiWordChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");

    [ThreadStatic] private static EnglishStemmer? english;
    [ThreadStatic] private static ItalianStemmer? italian;

    /// <summary>The words of <paramref name="text"/>, in order, with their place in it.</summary>
    public static IEnumerable<Word> Words(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            yield break;
        }
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && !IsWordChar(text[i]))
            {
                i++;
            }
            var start = i;
            while (i < text.Length && (IsWordChar(text[i]) || (i > start && IsMark(text[i]))))
            {
                i++;
            }
            if (i > start)
            {
                var folded = Fold(text.AsSpan(start, i - start));
                if (folded.Length > 0)
                {
                    var (en, it) = Stems(folded);
                    yield return new Word(start, i - start, en, it);
                }
            }
        }
    }

    /// <summary>Lower case, accents and ligatures folded, at most <see cref="MaxWordLength"/> characters.</summary>
    public static string Fold(ReadOnlySpan<char> word)
    {
        // Most words are plain ASCII letters and digits: lower-cased in one allocation.
        if (!word.ContainsAnyExcept(AsciiWordChars))
        {
            return string.Create(Math.Min(word.Length, MaxWordLength), word, static (target, source) =>
            {
                for (var i = 0; i < target.Length; i++)
                {
                    target[i] = char.ToLowerInvariant(source[i]);
                }
            });
        }
        var decomposed = word.ToString().ToLowerInvariant().Normalize(NormalizationForm.FormKD);
        var folded = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (folded.Length >= MaxWordLength)
            {
                break;
            }
            switch (c)
            {
                case 'ß': folded.Append("ss"); break;
                case 'æ': folded.Append("ae"); break;
                case 'œ': folded.Append("oe"); break;
                case 'ø': folded.Append('o'); break;
                case 'đ' or 'ð': folded.Append('d'); break;
                case 'ł': folded.Append('l'); break;
                case 'ı': folded.Append('i'); break;
                case 'þ': folded.Append("th"); break;
                default:
                    if (char.IsLetterOrDigit(c))
                    {
                        folded.Append(c);
                    }
                    break;
            }
        }
        return folded.Length > MaxWordLength ? folded.ToString(0, MaxWordLength) : folded.ToString();
    }

    private static (string English, string Italian) Stems(string folded)
    {
        foreach (var c in folded)
        {
            if (char.IsDigit(c))
            {
                return (folded, folded);
            }
        }
        if (Remembered.TryGetValue(folded, out var known))
        {
            return known;
        }
        var stems = Stem(folded);
        // Bounded: text nobody wrote twice (random strings) must not grow it without end.
        if (Remembered.Count < MaxRemembered)
        {
            Remembered.TryAdd(folded, stems);
        }
        return stems;
    }

    private static (string English, string Italian) Stem(string folded)
    {
        english ??= new EnglishStemmer();
        italian ??= new ItalianStemmer();
        english.SetCurrent(folded);
        english.Stem();
        var en = english.Current;
        italian.SetCurrent(folded);
        italian.Stem();
        var it = italian.Current;
        return (en.Length > 0 ? en : folded, it.Length > 0 ? it : folded);
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c);

    private static bool IsMark(char c) => char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;
}
