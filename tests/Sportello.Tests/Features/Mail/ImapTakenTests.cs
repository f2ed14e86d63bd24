using MailKit;
using Sportello.Features.Mail.Inbound;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Mail;

/// <summary>Issue 9 §4: "taken" is Sportello's private keyword, not \Flagged, which belongs to the people reading the mailbox.</summary>
[Trait("Category", "Data")]
public sealed class ImapTakenTests(ImapApp app) : IClassFixture<ImapApp>
{
    [Fact]
    public async Task MailAPersonFlaggedAndReadBeforeIntake_IsStillTaken_AndKeepsTheirFlag()
    {
        await app.StartAsync();
        var admin = await app.AdminAsync();
        var subject = $"Flagged by a colleague {Unique.Next()}";

        var uid = await app.Imap.AppendAsync(MailApp.Mail($"flagged-{Unique.Next()}@elsewhere.example", subject, "Il sito è lento."),
            MessageFlags.Flagged | MessageFlags.Seen);

        await Eventually.TrueAsync(async () => (await admin.InboundAsync()).Any(m => m.GetProperty("subject").GetString() == subject
            && m.GetProperty("outcome").GetString() == "ticket-opened"), "the flagged mail's ticket");
        await Eventually.TrueAsync(() => app.Imap.TakenAsync(uid), "the flagged mail to be marked taken");
        Assert.True((await app.Imap.FlagsAsync(uid)).HasFlag(MessageFlags.Flagged));
    }

    [Fact]
    public async Task MailAlreadyMarkedTaken_IsLeftAlone()
    {
        await app.StartAsync();
        var admin = await app.AdminAsync();
        var taken = $"Taken by another node {Unique.Next()}";
        var next = $"Next in line {Unique.Next()}";

        var takenUid = await app.Imap.AppendAsync(MailApp.Mail($"taken-{Unique.Next()}@elsewhere.example", taken, "Già preso."), MessageFlags.None, ImapIntake.TakenKeyword);
        var nextUid = await app.Imap.AppendAsync(MailApp.Mail($"next-{Unique.Next()}@elsewhere.example", next, "Da prendere."));

        // Any pass that saw the later message also saw the earlier one: once the later is taken, the earlier was passed over.
        await Eventually.TrueAsync(() => app.Imap.TakenAsync(nextUid), "the later mail to be taken");
        await Eventually.TrueAsync(async () => (await admin.InboundAsync()).Any(m => m.GetProperty("subject").GetString() == next
            && m.GetProperty("state").GetString() != "received"), "the later mail to be handled");
        Assert.DoesNotContain(await admin.InboundAsync(), m => m.GetProperty("subject").GetString() == taken);
        Assert.False((await app.Imap.FlagsAsync(takenUid)).HasFlag(MessageFlags.Seen));
    }
}
