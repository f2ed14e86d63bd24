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

    [Fact]
    public void EveryValidationMessage_IsAConstantFormat_WithAnItalianTranslation()
    {
        var src = Path.Combine(SportelloProcess.RepoRoot, "src", "Sportello");
        var italian = XDocument.Load(Path.Combine(src, "Web", "Text.it.resx")).Root!.Elements("data")
            .Select(d => (string)d.Attribute("name")!).ToHashSet(StringComparer.Ordinal);
        var interpolated = new List<string>();
        var messages = new List<(string File, string Text)>();
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("Migrations", StringComparison.Ordinal)))
        {
            var code = File.ReadAllText(file);
            foreach (Match call in ValidationCall().Matches(code))
            {
                var arguments = Arguments(code, call.Index + call.Length);
                if (arguments.Count < 2)
                {
                    continue;
                }
                var message = arguments[1];
                if (message.Contains("$\"", StringComparison.Ordinal))
                {
                    // A filled-in text cannot be translated: pass a format and its values.
                    interpolated.Add($"{Path.GetFileName(file)}: {message}");
                    continue;
                }
                var literals = StringLiteral().Matches(message).Select(m => m.Groups[1].Value).ToList();
                if (literals.Count == 0 && ConstantName().Match(message) is { Success: true } name
                    && ConstantValue(name.Value).Match(code) is { Success: true } constant)
                {
                    literals.Add(constant.Groups[1].Value);
                }
                // Concatenated pieces are one text; a conditional gives one text per branch.
                var texts = Concatenation().IsMatch(message) ? [string.Concat(literals)] : literals;
                messages.AddRange(texts.Select(t => (Path.GetFileName(file), Regex.Unescape(t))));
            }
        }
        Assert.True(interpolated.Count == 0, "Interpolated validation messages:\n" + string.Join("\n", interpolated));
        Assert.Contains(messages, m => m.Text == "{0} is listed twice.");
        var missing = messages.Where(m => !italian.Contains(m.Text)).Select(m => $"{m.File}: {m.Text}").Distinct().ToList();
        Assert.True(missing.Count == 0, "Missing Italian for:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void EveryTranslatedFormat_KeepsItsPlaceholders()
    {
        var resx = XDocument.Load(Path.Combine(SportelloProcess.RepoRoot, "src", "Sportello", "Web", "Text.it.resx"));
        var broken = resx.Root!.Elements("data")
            .Select(d => (English: (string)d.Attribute("name")!, Italian: (string)d.Element("value")!))
            .Where(t => !Placeholders(t.English).SetEquals(Placeholders(t.Italian)))
            .Select(t => $"{t.English} → {t.Italian}")
            .ToList();
        Assert.True(broken.Count == 0, "Placeholders differ:\n" + string.Join("\n", broken));
    }

    private static HashSet<string> Placeholders(string text) => Placeholder().Matches(text).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex("\\{\\d+\\}")]
    private static partial Regex Placeholder();

    /// <summary>The top-level arguments of a call whose argument list starts at <paramref name="start"/>.</summary>
    private static List<string> Arguments(string code, int start)
    {
        var arguments = new List<string>();
        var depth = 0;
        var from = start;
        for (var i = start; i < code.Length; i++)
        {
            var c = code[i];
            if (c == '"')
            {
                // Skip the string, escapes included.
                for (i++; i < code.Length && code[i] != '"'; i++)
                {
                    if (code[i] == '\\')
                    {
                        i++;
                    }
                }
            }
            else if (c is '(' or '[' or '{')
            {
                depth++;
            }
            else if (c is ')' or ']' or '}')
            {
                if (depth == 0)
                {
                    arguments.Add(code[from..i].Trim());
                    return arguments;
                }
                depth--;
            }
            else if (c == ',' && depth == 0)
            {
                arguments.Add(code[from..i].Trim());
                from = i + 1;
            }
        }
        return arguments;
    }

    private static Regex ConstantValue(string name) => new($"const string {Regex.Escape(name)} = \"((?:[^\"\\\\]|\\\\.)*)\"");

    [GeneratedRegex("\\b(?:errors|Errors)\\.Add\\(|\\bResult\\.Invalid\\(")]
    private static partial Regex ValidationCall();

    [GeneratedRegex("(?<![$@])\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex("\"\\s*\\+\\s*\"")]
    private static partial Regex Concatenation();

    [GeneratedRegex("^[A-Z][A-Za-z]+$")]
    private static partial Regex ConstantName();

    [GeneratedRegex("T\\[\"([^\"]+)\"")]
    private static partial Regex Localized();

    [GeneratedRegex("^\\s*[?:] \"([^\"]+)\"", RegexOptions.Multiline)]
    private static partial Regex Conditional();

    [GeneratedRegex("\\bT\\(\"([^\"]+)\"")]
    private static partial Regex MailText();
}
