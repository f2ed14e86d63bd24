using Microsoft.Extensions.Options;
using Sportello.Features.Chat;
using Sportello.Features.Mail;
using Sportello.Features.Sla;
using Sportello.Features.Tickets;

namespace Sportello.Features.Contact;

/// <summary>
/// The figures and addresses of the contact page, read from the live configuration at every request: the first-response
/// targets of the web and email channels (Normal, and High where it differs), the chat pickup target, whether chat is
/// on, and the mail addresses. Change a target at /admin/sla and the page says so at once.
/// </summary>
public sealed record ContactMethods(
    TimeSpan WebNormal, TimeSpan? WebHigh, TimeSpan EmailNormal, TimeSpan? EmailHigh, bool ChatEnabled, TimeSpan? ChatPickup,
    string SupportAddress, string AbuseAddress);

public sealed class ReadContactMethods(ListSlaPolicies policies, IOptionsMonitor<ChatOptions> chat, IOptions<MailOptions> mail)
{
    public async Task<ContactMethods> HandleAsync(CancellationToken cancellationToken = default)
    {
        var all = await policies.HandleAsync(cancellationToken);
        TimeSpan First(string channel, string priority) =>
            TimeSpan.FromMinutes(all.FirstOrDefault(p => p.Channel == channel && p.Priority == priority)?.FirstResponseMinutes ?? 0);
        TimeSpan? HighIfDifferent(string channel) =>
            First(channel, Priorities.High) is var high && high != First(channel, Priorities.Normal) && high > TimeSpan.Zero ? high : null;
        var pickup = all.FirstOrDefault(p => p.Channel == Channels.Chat && p.PickupSeconds is not null)?.PickupSeconds;
        var chatOn = chat.CurrentValue.Enabled;
        return new ContactMethods(
            First(Channels.Web, Priorities.Normal), HighIfDifferent(Channels.Web),
            First(Channels.Email, Priorities.Normal), HighIfDifferent(Channels.Email),
            chatOn, chatOn && pickup is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            mail.Value.SupportAddress, mail.Value.AbuseAddress);
    }
}
