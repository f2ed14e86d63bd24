using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Services;
using Sportello.Features.Tickets;

namespace Sportello.Features.Demo;

/// <summary>
/// A believable provider for a first look (Sportello:Demo, on in Development): customers in several countries
/// with VPS and dedicated servers, agents in both departments. Sign-ins go to the console, never the log.
/// </summary>
public static class DemoData
{
    public const string Password = "demo-pass-2026!";
    public const string AdminEmail = "admin@sportello.local";

    private sealed record DemoService(string Name, string Product, string Location, string OrderNumber, string[] Ips);

    private sealed record DemoCustomer(string Email, string Name, string? Company, string Country, string Language, string TimeZone,
        string? VatId, DemoService[] Services);

    private static readonly DemoCustomer[] Customers =
    [
        new("giulia.rossi@example.it", "Giulia Rossi", "Rossi Web S.r.l.", "IT", "it", "Europe/Rome", "IT12345670017",
        [
            new("VPS Milano shop", "VPS L (8 vCPU, 16 GB)", "Milan MIL1", "104233", ["192.0.2.11", "2001:db8:10::11"]),
            new("Gestionale", "Dedicated Xeon E-2388G", "Milan MIL1", "104871", ["192.0.2.40"]),
        ]),
        new("lukas@schneider-it.example", "Lukas Schneider", "Schneider IT GmbH", "DE", "en", "Europe/Berlin", "DE123456788",
        [
            new("web-01", "Dedicated EPYC 7313P", "Frankfurt FRA2", "121500", ["198.51.100.20", "2001:db8:20::20"]),
            new("backup-vps", "VPS S (2 vCPU, 4 GB)", "Amsterdam AMS1", "121501", ["198.51.100.33"]),
        ]),
        new("marie.dubois@example.fr", "Marie Dubois", null, "FR", "en", "Europe/Paris", null,
        [
            new("Blog", "VPS M (4 vCPU, 8 GB)", "Paris PAR1", "133042", ["203.0.113.5"]),
        ]),
        new("emma@clarke.example", "Emma Clarke", "Clarke Dev LLC", "US", "en", "America/New_York", null,
        [
            new("api-prod", "Dedicated Xeon Gold 6326", "Miami MIA1", "140918", ["203.0.113.77", "2001:db8:40::77"]),
        ]),
    ];

    private static readonly (string Email, string Name, string[] Departments, string Language)[] Agents =
    [
        ("marco.bianchi@sportello.local", "Marco Bianchi", [Departments.Technical], "it"),
        ("sara.conti@sportello.local", "Sara Conti", [Departments.Financial], "it"),
        ("daniel.weber@sportello.local", "Daniel Weber", [Departments.Technical, Departments.Financial], "en"),
        ("luca.ferri@sportello.local", "Luca Ferri", [Departments.Abuse], "it"),
    ];

    public static async Task SeedAsync(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<SportelloOptions>>().Value;
        if (!options.Demo)
        {
            return;
        }
        await using var scope = services.CreateAsyncScope();
        var provider = scope.ServiceProvider;
        var db = provider.GetRequiredService<SportelloDb>();
        if (!await db.Users.AnyAsync(u => u.Email == Customers[0].Email))
        {
            if (!await db.Users.AnyAsync(u => u.Email == AdminEmail))
            {
                await Bootstrap.CreateAdminAsync(provider, AdminEmail, "Demo Admin", Password);
            }
            foreach (var (email, name, departments, language) in Agents)
            {
                await provider.GetRequiredService<CreateAgent>().HandleAsync(
                    new CreateAgentRequest(email, name, Password, [.. departments], language, "Europe/Rome"));
            }
            foreach (var c in Customers)
            {
                var customer = await provider.GetRequiredService<CreateCustomer>().HandleAsync(
                    new CreateCustomerRequest(c.Email, c.Name, Password, c.Country, c.Language, c.TimeZone, c.Company, c.VatId));
                var id = customer.Value?.Id ?? throw new InvalidOperationException(
                    $"The demo customer {c.Email} was refused: {string.Join("; ", customer.Errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))}");
                foreach (var s in c.Services)
                {
                    await provider.GetRequiredService<AddService>().HandleAsync(id,
                        new AddServiceRequest(s.Name, s.Product, s.Location, s.OrderNumber, [.. s.Ips]));
                }
            }
            await SeedTicketsAsync(provider, db);
            await SeedCannedAnswersAsync(provider);
            await SeedNoticesAsync(provider, db);
            await SeedAbuseAsync(provider);
        }
        PrintSignIns(options.PublicUrl!);
    }

    // Ready answers for the chat console ("/" and a keyword).
    private static async Task SeedCannedAnswersAsync(IServiceProvider provider)
    {
        var manage = provider.GetRequiredService<CannedAnswers.ManageCannedAnswers>();
        await manage.AddAsync(new CannedAnswers.CannedAnswerRequest("Greeting",
            "Hello, thank you for writing to us. How can I help?", "Buongiorno, grazie per averci scritto. Come posso aiutarti?", ["hello", "hi", "ciao", "buongiorno"], null));
        await manage.AddAsync(new CannedAnswers.CannedAnswerRequest("Open a ticket for account matters",
            "For anything about your account, please open a ticket in the Client Area: we can only discuss it with the registered address.",
            "Per tutto ciò che riguarda il tuo account, apri un ticket nell'Area Clienti: possiamo parlarne solo con l'indirizzo registrato.",
            ["account", "password", "ticket", "invoice", "fattura"], null));
        await manage.AddAsync(new CannedAnswers.CannedAnswerRequest("Data centres",
            "Our servers are in Milan (MIL1, MIL2) and Frankfurt (FRA1).", "I nostri server sono a Milano (MIL1, MIL2) e Francoforte (FRA1).",
            ["datacenter", "datacentre", "location", "milan", "milano"], "technical"));
    }

    // Planned work in Milan and a resolved incident in Frankfurt: the inboxes, /status and its feed have something to show.
    private static async Task SeedNoticesAsync(IServiceProvider provider, SportelloDb db)
    {
        var admin = await db.Users.SingleAsync(u => u.Email == AdminEmail);
        var publish = provider.GetRequiredService<Notices.PublishNotice>();
        var now = provider.GetRequiredService<TimeProvider>().GetUtcNow();
        var night = now.AddDays(3).ToString("yyyy'-'MM'-'dd", System.Globalization.CultureInfo.InvariantCulture);
        var after = now.AddDays(4).ToString("yyyy'-'MM'-'dd", System.Globalization.CultureInfo.InvariantCulture);
        await publish.HandleAsync(admin.Id, new Notices.NoticeRequest("maintenance",
            new Notices.NoticeText("Network upgrade in Milan MIL1", "Aggiornamento della rete a Milano MIL1"),
            new Notices.NoticeText("We replace the core switches of MIL1. Expect up to two short interruptions of about five minutes each.",
                "Sostituiamo gli switch principali di MIL1. Sono previste al massimo due brevi interruzioni di circa cinque minuti ciascuna."),
            $"{night}T22:00", $"{after}T02:00", "Europe/Rome", new Notices.NoticeAffects(["Milan MIL1"], null, null)));
        var incident = await publish.HandleAsync(admin.Id, new Notices.NoticeRequest("incident",
            new Notices.NoticeText("Packet loss in Frankfurt FRA2", "Perdita di pacchetti a Francoforte FRA2"),
            new Notices.NoticeText("Some servers in FRA2 lose packets towards one upstream provider. We are investigating.",
                "Alcuni server a FRA2 perdono pacchetti verso un fornitore di transito. Stiamo indagando."),
            now.AddHours(-26).ToString("yyyy'-'MM'-'dd'T'HH':'mm'Z'", System.Globalization.CultureInfo.InvariantCulture), null, null,
            new Notices.NoticeAffects(["Frankfurt FRA2"], null, null)));
        await provider.GetRequiredService<Notices.UpdateNotice>().HandleAsync(admin.Id, incident.Value!.Id, new Notices.NoticeUpdateRequest("resolved",
            new Notices.NoticeText("Traffic is routed around the faulty upstream; loss is back to zero.", "Il traffico evita il fornitore guasto; la perdita è tornata a zero."),
            null, null, null));
    }

    // A spam report about Emma's server, forwarded to her, and one about an address nobody here hosts: the abuse desk's queue.
    private static async Task SeedAbuseAsync(IServiceProvider provider)
    {
        var submit = provider.GetRequiredService<Abuse.SubmitAbuseReport>();
        await submit.HandleAsync(new Abuse.AbuseReportRequest("spam", "203.0.113.77", null,
            new Abuse.AbuseReporterRequest("Spam Desk", "spam-desk@mailbox.example"),
            "Our users received 4,210 messages \"Your parcel is waiting\" from 203.0.113.77 between 08:10 and 08:40 UTC.\n"
            + "Received: from api-prod (203.0.113.77) by mx1.mailbox.example\nTo: victim@mailbox.example\nSubject: Your parcel is waiting",
            ["http://parcel-track.example/login"], null));
        await submit.HandleAsync(new Abuse.AbuseReportRequest("attack", "198.51.100.200", null,
            new Abuse.AbuseReporterRequest("SOC Team", "soc@university.example"),
            "SSH brute force from 198.51.100.200: 18,000 failed logins for root in one hour.", null, null));
    }

    // A few conversations so the Desk and the Client Area have something to show.
    private static async Task SeedTicketsAsync(IServiceProvider provider, SportelloDb db)
    {
        var open = provider.GetRequiredService<OpenTicket>();
        var reply = provider.GetRequiredService<ReplyToTicket>();
        var giulia = await db.Users.SingleAsync(u => u.Email == Customers[0].Email);
        var lukas = await db.Users.SingleAsync(u => u.Email == Customers[1].Email);
        var marie = await db.Users.SingleAsync(u => u.Email == Customers[2].Email);
        var marco = await db.Users.SingleAsync(u => u.Email == Agents[0].Email);
        var sara = await db.Users.SingleAsync(u => u.Email == Agents[1].Email);
        var zone = NodaTime.DateTimeZoneProviders.Tzdb["Europe/Rome"];
        var local = NodaTime.Instant.FromDateTimeOffset(provider.GetRequiredService<TimeProvider>().GetUtcNow().AddMinutes(-20))
            .InZone(zone).LocalDateTime;
        // In the autumn's repeated hour the local time is ambiguous and would be refused: state an hour earlier.
        local = zone.MapLocal(local).Count == 1 ? local : local.PlusHours(-1);
        var startedAt = local.ToString("uuuu'-'MM'-'dd'T'HH':'mm", System.Globalization.CultureInfo.InvariantCulture);

        await open.HandleAsync(giulia, new OpenTicketRequest("technical", "high", "Il sito del negozio non risponde",
            "Da circa venti minuti il sito restituisce un timeout. Il server non risponde al ping.",
            ServiceReference: "#104233", ProblemStartedAt: startedAt, ProblemTimeZone: "CET",
            Diagnostics: "ping 192.0.2.11: 100% packet loss\nmtr: loss from hop 9"), Channels.Web);
        var invoice = await open.HandleAsync(lukas, new OpenTicketRequest("financial", "normal", "VAT on invoice 2026-0412",
            "Our invoice shows 22% VAT but we are a German company with a valid VAT id. Should this be reverse charge?"), Channels.Web);
        await reply.AsAgentAsync(sara, invoice.Value!.Id, "Thank you, Lukas. You are right: with a valid VAT id the invoice is reverse charge. We are issuing a corrected one.", isInternal: false);
        var dns = await open.HandleAsync(marie, new OpenTicketRequest("technical", "normal", "Reverse DNS for my blog",
            "How can I set the PTR record of 203.0.113.5 to blog.example.fr?", ServiceReference: "203.0.113.5"), Channels.Web);
        await reply.AsAgentAsync(marco, dns.Value!.Id, "Customer owns the IP; rDNS can be set from the panel.", isInternal: true);
    }

    private static void PrintSignIns(string url)
    {
        var lines = new List<string>
        {
            "",
            "  Sportello demo: " + url,
            $"  Every demo account's password: {Password}",
            $"    admin     {AdminEmail,-34} {url}/admin",
        };
        lines.AddRange(Agents.Select(a => $"    agent     {a.Email,-34} {url}/desk  ({string.Join(", ", a.Departments)})"));
        lines.AddRange(Customers.Select(c => $"    customer  {c.Email,-34} {url}/  ({c.Country}, {c.Language})"));
        lines.Add("");
        // Straight to the console: demo sign-ins must never reach log files.
        Console.Out.WriteLine(string.Join(Environment.NewLine, lines));
    }
}
