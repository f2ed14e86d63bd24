using Sportello.Features.Mail.Outbound;
using Sportello.Web;

namespace Sportello.Features.Notices;

/// <summary>
/// What a customer reads about a notice's update, in the inbox and in the mail alike: English texts, translated by
/// the caller's localizer (<see cref="Outbox.T"/>) in the reader's language.
/// </summary>
public static class NoticeWords
{
    /// <summary>The zone of times told to the public (the status page, its subscribers): the provider's own.</summary>
    public const string PublicTimeZone = "Europe/Rome";

    public static string Kind(string kind) => kind switch
    {
        NoticeKinds.Maintenance => "Scheduled maintenance",
        NoticeKinds.Change => "Service change",
        _ => "Incident",
    };

    public static string Status(string status) => status switch
    {
        NoticeStatuses.Investigating => "Investigating",
        NoticeStatuses.Identified => "Identified",
        NoticeStatuses.Monitoring => "Monitoring",
        NoticeStatuses.Resolved => "Resolved",
        NoticeStatuses.Scheduled => "Scheduled",
        NoticeStatuses.Rescheduled => "Rescheduled",
        NoticeStatuses.Reminder => "Reminder",
        NoticeStatuses.Cancelled => "Cancelled",
        _ => "Completed",
    };

    /// <summary>The title: "Incident: …" when published, "Resolved: …" for an update.</summary>
    public static string Title(Func<string, object[], string> t, Notice notice, NoticeUpdate update, string language) =>
        t("{0}: {1}", [t(update.Opening ? Kind(notice.Kind) : Status(update.Status), []), notice.Title(language)]);

    /// <summary>The body: the update's words (or what its status means), then when.</summary>
    public static string Body(Func<string, object[], string> t, Notice notice, NoticeUpdate update, string language, string timeZone)
    {
        var words = update.Opening ? notice.Body(language) : update.Body(language);
        if (words.Length == 0)
        {
            words = update.Status switch
            {
                NoticeStatuses.Reminder => t("A reminder: this work starts soon.", []),
                NoticeStatuses.Cancelled => t("This work has been cancelled: nothing will change.", []),
                NoticeStatuses.Completed => t("This work is complete.", []),
                NoticeStatuses.Rescheduled => t("This work has been moved to a new time.", []),
                _ => "",
            };
        }
        return $"{words}\n\n{When(t, notice, timeZone)}".Trim();
    }

    public static string When(Func<string, object[], string> t, Notice notice, string timeZone) =>
        notice.Kind == NoticeKinds.Incident
            ? t("Since {0}.", [Display.LocalTime(notice.StartsAt, timeZone)])
            : notice.EndsAt is { } end
                ? t("From {0} to {1}.", [Display.LocalTime(notice.StartsAt, timeZone), Display.LocalTime(end, timeZone)])
                : t("From {0}.", [Display.LocalTime(notice.StartsAt, timeZone)]);
}
