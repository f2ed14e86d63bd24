using NodaTime;
using Sportello.Features.Sla;
using Sportello.Features.Tickets;

namespace Sportello.Tests.Features.Tickets;

public sealed class RulesTests
{
    private static readonly Instant Now = Instant.FromUtc(2026, 11, 24, 13, 30);

    [Theory]
    [InlineData("2026-11-24T14:30", "CET", "2026-11-24T13:30:00")]
    [InlineData("2026-07-15T14:30", "CEST", "2026-07-15T12:30:00")]
    [InlineData("2026-07-15T14:30", "cest", "2026-07-15T12:30:00")]
    [InlineData("2026-07-15 14:30", "Europe/Rome", "2026-07-15T12:30:00")]
    [InlineData("2026-07-15T14:30:15", "America/New_York", "2026-07-15T18:30:15")]
    [InlineData("2026-10-25T02:30+02:00", "Europe/Rome", "2026-10-25T00:30:00")]
    [InlineData("2026-10-25T02:30+01:00", "Europe/Rome", "2026-10-25T01:30:00")]
    [InlineData("2026-11-24T13:31", "UTC", "2026-11-24T13:31:00")]
    public void ProblemStart_Readable_GivesTheInstant(string local, string zone, string utc)
    {
        var result = ProblemStart.Resolve(local, zone, "Europe/Rome", Now);
        Assert.Null(result.Error);
        Assert.Equal(DateTime.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), result.Utc);
    }

    [Theory]
    [InlineData("2026-03-29T02:30", "Europe/Rome", "problemStartedAt", "does not exist")]
    [InlineData("2026-10-25T02:30", "Europe/Rome", "problemStartedAt", "happened twice")]
    [InlineData("2026-10-25T02:30", "CET", "problemStartedAt", "happened twice")]
    [InlineData("2026-10-25T02:30+03:00", "Europe/Rome", "problemStartedAt", "does not match")]
    [InlineData("2026-11-24T13:33", "UTC", "problemStartedAt", "future")]
    [InlineData("24/11/2026 14:30", "Europe/Rome", "problemStartedAt", "date and time")]
    [InlineData("2026-11-24T14:30", "Europe/Milano", "problemTimeZone", "IANA")]
    [InlineData("", "Europe/Rome", "problemStartedAt", "required")]
    public void ProblemStart_Unreadable_NamesTheFieldAndSaysWhy(string local, string zone, string field, string why)
    {
        var result = ProblemStart.Resolve(local, zone, "Europe/Rome", Now);
        Assert.Null(result.Utc);
        Assert.Equal(field, result.Field);
        Assert.Contains(why, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProblemStart_Overlap_OffersBothReadings()
    {
        var result = ProblemStart.Resolve("2026-10-25T02:30", "Europe/Rome", "Europe/Rome", Now);
        Assert.Contains("2026-10-25T02:30+02:00", result.Message, StringComparison.Ordinal);
        Assert.Contains("2026-10-25T02:30+01:00", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("report.pdf", "report.pdf")]
    [InlineData("../../../etc/shadow", "shadow")]
    [InlineData("a\tb\nc.txt", "abc.txt")]
    [InlineData("photo\u200B.jpg", "photo.jpg")]
    [InlineData("invoice\u202Efdp.exe", "invoicefdp.exe")]
    [InlineData("report\u00AD\u180E\u206F.pdf\U000E0041.exe\u2028", "report.pdf.exe")]
    [InlineData("  .hidden  ", "hidden")]
    [InlineData("", "attachment")]
    [InlineData(null, "attachment")]
    public void FileName_IsSafe(string? input, string expected) => Assert.Equal(expected, FileNames.Normalize(input));

    [Fact]
    public void FileName_TooLong_KeepsTheExtension()
    {
        var name = FileNames.Normalize(new string('a', 500) + ".log");
        Assert.Equal(FileNames.MaxLength, name.Length);
        Assert.EndsWith(".log", name, StringComparison.Ordinal);
    }

    [Fact]
    public void TicketNumbers_AreRandomReferences()
    {
        var numbers = Enumerable.Range(0, 2000).Select(_ => TicketNumbers.New()).ToList();
        Assert.All(numbers, n => Assert.True(TicketNumbers.IsValid(n), n));
        Assert.True(numbers.Distinct().Count() > 1990);
        Assert.True(numbers.Select(n => n[..3]).Distinct().Count() > 500);
    }

    [Fact]
    public void SlaClock_AtRiskAt80Percent_BreachedAtTheTarget()
    {
        var created = new DateTime(2026, 11, 24, 13, 0, 0, DateTimeKind.Utc);
        var ticket = new Ticket { CreatedAt = created };
        SlaClock.Open(ticket, new SlaPolicy { FirstResponseMinutes = 10, NextResponseMinutes = 60 }, created);
        Assert.Equal(SlaStates.Ok, SlaClock.StateOf(ticket, created.AddMinutes(7)));
        Assert.Equal(SlaStates.AtRisk, SlaClock.StateOf(ticket, created.AddMinutes(8)));
        Assert.Equal(SlaStates.Breached, SlaClock.StateOf(ticket, created.AddMinutes(10)));
        SlaClock.AgentReplied(ticket, created.AddMinutes(11));
        Assert.True(ticket.FirstResponseBreached);
        Assert.Equal(SlaStates.Ok, SlaClock.StateOf(ticket, created.AddHours(5)));
        SlaClock.CustomerReplied(ticket, new SlaPolicy { FirstResponseMinutes = 10, NextResponseMinutes = 60 }, created.AddHours(5));
        Assert.Equal(created.AddHours(6), ticket.DueAt);
    }

    [Theory]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1 }, "image/png")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }, "image/jpeg")]
    [InlineData(new byte[] { 0x3C, 0x73, 0x76, 0x67 }, null)]
    [InlineData(new byte[] { }, null)]
    public void ImageSniffer_OnlyRasterImagesPreview(byte[] bytes, string? expected) =>
        Assert.Equal(expected, ImageSniffer.PreviewType(bytes));
}
