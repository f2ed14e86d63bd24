using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Sportello.Web;

namespace Sportello.Features.Search;

/// <summary>A word, or a phrase (several words in a row): a document matches it in English or in Italian.</summary>
public sealed record SearchTerm(IReadOnlyList<Word> Words)
{
    public bool IsPhrase => Words.Count > 1;
    public string English => string.Join(' ', Words.Select(w => w.English));
    public string Italian => string.Join(' ', Words.Select(w => w.Italian));
}

/// <summary>What a search asks for, read from <c>q</c> (CONTRACT.md, "Search").</summary>
/// <remarks>
/// Words; balanced double quotes make a phrase; every other character is literal text: it only separates words, as
/// it does in the documents (<c>192.168.1.10</c> is the phrase 192 168 1 10, found where the address is written). An
/// unpaired quote is a separator too. Every term must match (AND). An exact reference (a ticket number, an order number
/// <c>#123456</c>, an IP address) is also looked up as such, and ranks first.
/// </remarks>
public sealed record SearchQuery(string Text, IReadOnlyList<SearchTerm> Terms, SearchReference? Reference)
{
    public const int MaxLength = 500;
    /// <summary>Terms beyond this many are ignored: each one is a condition on the index, and 32 already say a lot.</summary>
    public const int MaxTerms = 32;

    /// <summary>The query, or null with the reason under <c>q</c> in <paramref name="errors"/>.</summary>
    public static SearchQuery? Read(string? q, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(q))
        {
            errors.Add("q", "q is required: the words to search for.");
            return null;
        }
        if (q.Length > MaxLength)
        {
            errors.Add("q", "q must be at most {0} characters.", MaxLength);
            return null;
        }
        return new SearchQuery(q, TermsOf(q), SearchReference.Of(q.Trim()));
    }

    private static List<SearchTerm> TermsOf(string q)
    {
        var terms = new List<SearchTerm>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(IReadOnlyList<Word> words)
        {
            if (words.Count > 0 && terms.Count < MaxTerms && seen.Add(string.Join(' ', words.Select(w => w.English)) + "|" + string.Join(' ', words.Select(w => w.Italian))))
            {
                terms.Add(new SearchTerm(words));
            }
        }
        // Quotes pair from the left; an odd last one is just a separator.
        var quotes = q.Count(c => c == '"');
        var pairedUpTo = quotes % 2 == 0 ? q.Length : q.LastIndexOf('"');
        var i = 0;
        while (i < q.Length)
        {
            var open = q.IndexOf('"', i);
            if (open < 0 || open >= pairedUpTo)
            {
                AddLoose(q[i..], Add);
                break;
            }
            AddLoose(q[i..open], Add);
            var close = q.IndexOf('"', open + 1);
            Add(SearchText.Words(q[(open + 1)..close]).ToList());
            i = close + 1;
        }
        return terms;
    }

    // Outside quotes, each space-separated chunk is a term: one word, or the phrase its parts make ("e-mail", an address).
    private static void AddLoose(string text, Action<IReadOnlyList<Word>> add)
    {
        foreach (var chunk in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            add(SearchText.Words(chunk).ToList());
        }
    }
}

/// <summary>A query that is, as a whole, a reference: looked up exactly, and ranked before the text matches.</summary>
public sealed partial record SearchReference(string? TicketNumber, string? OrderNumber, string? IpAddress)
{
    public static SearchReference? Of(string q)
    {
        if (TicketNumberPattern().Match(q) is { Success: true } ticket)
        {
            return new SearchReference(ticket.Groups[1].Value.ToUpperInvariant(), null, null);
        }
        if (OrderNumberPattern().Match(q) is { Success: true } order)
        {
            return new SearchReference(null, order.Groups[1].Value, null);
        }
        // IPAddress.TryParse takes "1" or "1.2" for addresses: only a dotted quad, or a colon form, is one here.
        if (q.Length <= 45 && IPAddress.TryParse(q, out var ip)
            && (ip.AddressFamily == AddressFamily.InterNetworkV6 ? q.Contains(':', StringComparison.Ordinal) : q.Count(c => c == '.') == 3))
        {
            return new SearchReference(null, null, ip.ToString());
        }
        return null;
    }

    public override string ToString() => TicketNumber ?? (OrderNumber is { } order ? "#" + order : IpAddress ?? "");

    [GeneratedRegex(@"^\[?#?([A-Za-z]{3}-[0-9]{6})\]?$", RegexOptions.CultureInvariant)]
    private static partial Regex TicketNumberPattern();

    [GeneratedRegex(@"^#?([0-9]{6})$", RegexOptions.CultureInvariant)]
    private static partial Regex OrderNumberPattern();
}

/// <summary>A search's query and page, read from the request; <see cref="Query"/> is null when <see cref="Errors"/> says why.</summary>
public sealed record SearchRequest(SearchQuery? Query, int Limit, long? Before, ValidationErrors Errors)
{
    public bool Valid => Query is not null && !Errors.Any;

    public static SearchRequest Read(string? q, int? limit, string? cursor, ValidationErrors? errors = null)
    {
        errors ??= new ValidationErrors();
        var query = SearchQuery.Read(q, errors);
        var size = SearchCursor.ReadPage(limit, cursor, errors, out var before);
        return new SearchRequest(query, size, before, errors);
    }
}

internal static class SearchCursor
{
    /// <summary>A page of results: <c>limit</c> (default 50, at most 200) and the cursor.</summary>
    public static int ReadPage(int? limit, string? cursor, ValidationErrors errors, out long? before)
    {
        var size = limit ?? Page.DefaultLimit;
        if (size is < 1 or > Page.MaxLimit)
        {
            errors.Add("limit", "limit must be between 1 and {0}.", Page.MaxLimit);
        }
        TryRead(cursor, errors, out before);
        return size;
    }

    /// <summary>The search's cursor is the last document id of the page, in decimal.</summary>
    public static bool TryRead(string? cursor, ValidationErrors errors, out long? before)
    {
        before = null;
        if (string.IsNullOrEmpty(cursor))
        {
            return true;
        }
        if (long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
        {
            before = id;
            return true;
        }
        errors.Add("cursor", "cursor is not one this API handed out.");
        return false;
    }
}
