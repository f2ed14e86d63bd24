using System.Net;
using System.Text.RegularExpressions;

namespace Sportello.Tests.Infrastructure;

/// <summary>Drives server-rendered pages like a browser without JavaScript: cookies, antiforgery tokens, form posts.</summary>
public static partial class WebForms
{
    public static async Task<string> GetPageAsync(this HttpClient client, string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await client.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"GET {url}: expected {(int)expected}, got {(int)response.StatusCode}");
        return html;
    }

    public static string AntiforgeryToken(string html) =>
        WebUtility.HtmlDecode(TokenField().Match(html) is { Success: true } m ? m.Groups[1].Value
            : throw new InvalidOperationException("The page has no antiforgery token."));

    /// <summary>Posts a form the way the page at <paramref name="pageUrl"/> would.</summary>
    public static async Task<HttpResponseMessage> SubmitAsync(this HttpClient client, string pageUrl, string action, IDictionary<string, string> fields)
    {
        var html = await client.GetPageAsync(pageUrl);
        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = AntiforgeryToken(html) };
        return await client.PostAsync(action, new FormUrlEncodedContent(form));
    }

    public static async Task<HttpClient> SignInWebAsync(this SportelloApp app, string email, string password)
    {
        var client = app.Anonymous();
        var response = await client.SubmitAsync("/signin", "/signin", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
