namespace Sportello.Web;

/// <summary>Keyset paging for lists: <c>limit</c> (default 50, at most 200) and an opaque <c>cursor</c>.</summary>
public readonly record struct Page(int Limit, Guid? After)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

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

    /// <summary>Trims the one-extra row fetched and adds <c>Link: rel="next"</c> when there is more.</summary>
    public List<T> Finish<T>(HttpContext http, List<T> rowsPlusOne, Func<T, Guid> key)
    {
        if (rowsPlusOne.Count <= Limit)
        {
            return rowsPlusOne;
        }
        var rows = rowsPlusOne.GetRange(0, Limit);
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
        next["limit"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        next["cursor"] = key(rows[^1]).ToString("N");
        var url = Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(request.PathBase + request.Path, next);
        http.Response.Headers.Append("Link", $"<{url}>; rel=\"next\"");
        return rows;
    }
}
