using Microsoft.AspNetCore.Http.HttpResults;

namespace Sportello.Web;

/// <summary>Keyset paging for lists: <c>limit</c> (default 50, at most 200) and an opaque <c>cursor</c>.</summary>
public readonly record struct Page(int Limit, Guid? After)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    /// <summary>A page's list (a page, not the API): a cursor it did not hand out starts again from the first.</summary>
    public static Page ForScreen(string? cursor, int limit = MaxLimit) =>
        TryRead(limit, cursor, new ValidationErrors(), out var page) ? page : new Page(limit, null);

    public static bool TryRead(int? limit, string? cursor, ValidationErrors errors, out Page page)
    {
        page = default;
        var size = limit ?? DefaultLimit;
        if (size is < 1 or > MaxLimit)
        {
            errors.Add("limit", "limit must be between 1 and {0}.", MaxLimit);
        }
        Guid? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            if (Guid.TryParseExact(cursor, "N", out var id))
            {
                after = id;
            }
            else
            {
                errors.Add("cursor", "cursor is not one this API handed out.");
            }
        }
        page = new Page(size, after);
        return !errors.Any;
    }

    /// <summary>
    /// An endpoint's list: 400 naming <c>limit</c> or <c>cursor</c> when they are wrong, else the page <paramref name="read"/>
    /// returns, with its <c>Link</c> header.
    /// </summary>
    public static async Task<Results<Ok<List<T>>, ValidationProblem>> ListAsync<T>(
        HttpContext http, int? limit, string? cursor, Func<Page, Task<Paged<T>>> read)
    {
        var errors = new ValidationErrors();
        if (!TryRead(limit, cursor, errors, out var page))
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        return TypedResults.Ok((await read(page)).Link(http, page.Limit));
    }

    /// <summary>A list that belongs to something which may not exist (<paramref name="exists"/>): 404 first, then as <see cref="ListAsync"/>.</summary>
    public static async Task<Results<Ok<List<T>>, ValidationProblem, NotFound>> ListOfAsync<T>(
        HttpContext http, int? limit, string? cursor, Func<Task<bool>> exists, Func<Page, Task<Paged<T>>> read)
    {
        if (!await exists())
        {
            return TypedResults.NotFound();
        }
        var errors = new ValidationErrors();
        if (!TryRead(limit, cursor, errors, out var page))
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        return TypedResults.Ok((await read(page)).Link(http, page.Limit));
    }

    /// <summary>Adds <c>Link: &lt;...&gt;; rel="next"</c>: this request's query with <paramref name="cursor"/> and <paramref name="limit"/>.</summary>
    public static void AppendNextLink(HttpContext http, int limit, string cursor)
    {
        var request = http.Request;
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.QueryString.Value);
        var next = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, values) in query)
        {
            if (name is not ("cursor" or "limit"))
            {
                next[name] = values.ToString();
            }
        }
        next["limit"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        next["cursor"] = cursor;
        var url = Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(request.PathBase + request.Path, next);
        http.Response.Headers.Append("Link", $"<{url}>; rel=\"next\"");
    }

    /// <summary>Trims the one extra row fetched; the page's last key is the next cursor when there is more.</summary>
    public Paged<T> Cut<T>(List<T> rowsPlusOne, Func<T, Guid> key) =>
        rowsPlusOne.Count <= Limit ? new Paged<T>(rowsPlusOne, null) : new Paged<T>(rowsPlusOne.GetRange(0, Limit), key(rowsPlusOne[Limit - 1]));

    /// <summary>Trims the one-extra row fetched and adds <c>Link: rel="next"</c> when there is more.</summary>
    public List<T> Finish<T>(HttpContext http, List<T> rowsPlusOne, Func<T, Guid> key) => Cut(rowsPlusOne, key).Link(http, Limit);
}

/// <summary>One page of a list, and the cursor of the next when there is more.</summary>
public sealed record Paged<T>(List<T> Items, Guid? Next)
{
    public string? NextCursor => Next?.ToString("N");

    /// <summary>The items, with <c>Link: &lt;...&gt;; rel="next"</c> (this request's query, the next cursor) when there is more.</summary>
    public List<T> Link(HttpContext http, int limit)
    {
        if (NextCursor is { } cursor)
        {
            Page.AppendNextLink(http, limit, cursor);
        }
        return Items;
    }
}
