using System.Globalization;
using System.ServiceModel.Syndication;
using System.Text;
using System.Xml;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Sportello.Features.Mail.Outbound;
using Sportello.Web;

namespace Sportello.Features.Notices;

/// <summary>
/// <c>/status/feed.atom</c>: the public status as an Atom 1.0 feed, one entry per notice and per update, newest first,
/// in the language the reader asks for (<c>?lang=it</c>, else the request's).
/// </summary>
public static class StatusFeed
{
    public const string Path = "/status/feed.atom";

    public static async Task<IResult> HandleAsync(
        HttpContext http, string? lang, ReadStatus status, IOptions<SportelloOptions> options, IStringLocalizer<Text> text, CancellationToken cancellationToken)
    {
        var language = lang is "it" or "en" ? lang : CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "it" ? "it" : "en";
        var site = (options.Value.PublicUrl ?? $"{http.Request.Scheme}://{http.Request.Host}").TrimEnd('/');
        var notices = await status.PublicNoticesAsync(language, cancellationToken);
        var items = notices.SelectMany(n => n.Updates.Select(u => new SyndicationItem(u.Title, u.Body, new Uri($"{site}/status#notice-{n.Id:N}"),
                $"urn:uuid:{u.Id}", new DateTimeOffset(u.At, TimeSpan.Zero))
            {
                PublishDate = new DateTimeOffset(u.At, TimeSpan.Zero),
            }))
            .OrderByDescending(i => i.LastUpdatedTime).ToList();
        var title = Outbox.InLanguage(language, () => text["Service status"].Value);
        var feed = new SyndicationFeed(title, title, new Uri($"{site}/status"), $"{site}/status",
            items.Count > 0 ? items[0].LastUpdatedTime : DateTimeOffset.UnixEpoch, items)
        {
            Language = language,
        };
        feed.Authors.Add(new SyndicationPerson { Name = "Sportello" });
        feed.Links.Add(new SyndicationLink(new Uri($"{site}{Path}?lang={language}"), "self", title, "application/atom+xml", 0));
        var buffer = new StringBuilder();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = Encoding.UTF8, Indent = true, Async = true }))
        {
            new Atom10FeedFormatter(feed).WriteTo(writer);
        }
        // The declaration says utf-16 (a StringBuilder's); the bytes are UTF-8.
        var xml = buffer.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"", StringComparison.Ordinal);
        return Results.Text(xml, "application/atom+xml; charset=utf-8", Encoding.UTF8);
    }
}
