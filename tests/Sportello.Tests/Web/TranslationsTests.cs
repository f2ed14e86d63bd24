using System.Text.RegularExpressions;
using System.Xml.Linq;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Web;

public sealed partial class TranslationsTests
{
    [Fact]
    public void EveryTextInThePages_HasAnItalianTranslation()
    {
        var src = Path.Combine(SportelloProcess.RepoRoot, "src", "Sportello");
        var italian = XDocument.Load(Path.Combine(src, "Web", "Text.it.resx")).Root!.Elements("data")
            .Select(d => (string)d.Attribute("name")!).ToHashSet(StringComparer.Ordinal);
        // Page texts (T["..."], also inside a conditional), and mail texts (outbox.T("...")).
        var used = Directory.EnumerateFiles(src, "*.cshtml", SearchOption.AllDirectories)
            .SelectMany(f => Localized().Matches(File.ReadAllText(f)).Concat(Conditional().Matches(File.ReadAllText(f)))
                .Select(m => (File: Path.GetFileName(f), Key: m.Groups[1].Value)))
            .Concat(Directory.EnumerateFiles(Path.Combine(src, "Features", "Mail"), "*.cs", SearchOption.AllDirectories)
                .SelectMany(f => MailText().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Key: m.Groups[1].Value))))
            .ToList();
        Assert.Contains(used, u => u.File == "TicketMails.cs");
        Assert.NotEmpty(used);
        var missing = used.Where(u => !italian.Contains(u.Key)).Select(u => $"{u.File}: {u.Key}").Distinct().ToList();
        Assert.True(missing.Count == 0, "Missing Italian for:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void EveryLabelOfAKey_HasAnItalianTranslation()
    {
        var src = Path.Combine(SportelloProcess.RepoRoot, "src", "Sportello");
        var italian = XDocument.Load(Path.Combine(src, "Web", "Text.it.resx")).Root!.Elements("data")
            .Select(d => (string)d.Attribute("name")!).ToHashSet(StringComparer.Ordinal);
        var labels = Sportello.Features.Tickets.TicketStatus.All.Select(Sportello.Features.Tickets.Labels.Status)
            .Concat(Sportello.Features.Tickets.Priorities.All.Select(Sportello.Features.Tickets.Labels.Priority))
            .Concat(Sportello.Features.Accounts.Departments.All.Select(Sportello.Features.Tickets.Labels.Department))
            .Concat(Sportello.Features.Tickets.Channels.All.Select(Sportello.Features.Tickets.Labels.Channel))
            .Concat(new[] { "ok", "at-risk", "breached" }.Select(Sportello.Features.Tickets.Labels.SlaState))
            .Concat(Sportello.Features.Tickets.Labels.EventKinds.Select(Sportello.Features.Tickets.Labels.Event))
            .Concat(new[] { "verified", "registered", "unverified" }.Select(Sportello.Features.Tickets.Labels.Trust))
            .Concat(Sportello.Features.Mail.NotificationTypes.All.Select(Sportello.Features.Mail.NotificationAddresses.TypeLabel));
        Assert.DoesNotContain(labels, l => !italian.Contains(l));
    }

    [GeneratedRegex("T\\[\"([^\"]+)\"")]
    private static partial Regex Localized();

    [GeneratedRegex("^\\s*[?:] \"([^\"]+)\"", RegexOptions.Multiline)]
    private static partial Regex Conditional();

    [GeneratedRegex("\\bT\\(\"([^\"]+)\"")]
    private static partial Regex MailText();
}
