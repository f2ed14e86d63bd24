using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MimeKit;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Mail;

/// <summary>
/// A spoofed agent reply threaded by a copied or guessed notification Message-ID (FreeScout CVE-2026-47123). Whoever
/// holds the customer's notification, or guesses at its Message-ID, never answers as an agent, never moves the ticket,
/// and writes as the customer only as far as the message itself is trusted. (The agent's own unsigned mail is refused in
/// <see cref="MailTrustTests.AgentReplyByMail_IsAddedWhenSigned_AndRefusedWithANoticeWhenNot"/>.)
/// </summary>
[Trait("Category", "Data")]
public sealed class SpoofedReplyAdvisoryTests(TrustMailApp app) : IClassFixture<TrustMailApp>
{
    private sealed record Scene(HttpClient Customer, string CustomerEmail, HttpClient Agent, string AgentEmail, string TicketId, MimeMessage Notification);

    /// <summary>A ticket an agent answered: the customer holds the notification, with our signed Message-ID.</summary>
    private async Task<Scene> AnsweredTicketAsync()
    {
        await app.StartAsync();
        var customerEmail = $"c{Unique.Next()}@plain.example";
        await (await app.AdminAsync()).CreateCustomerAsync(customerEmail);
        var customer = await app.SignInAsync(customerEmail, "customer passphrase 2026");
        var agentEmail = $"agent-{Unique.Next()}@{TrustMailApp.SignedDomain}";
        var agent = await app.AgentAsync(agentEmail, "technical");
        var ticket = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = $"Spoof {Unique.Next()}", description = "Sito giù." });
        var id = ticket.GetProperty("id").GetString()!;
        var answer = $"Riavviato {Unique.Next()}.";
        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{id}/messages", new { body = answer })).JsonAsync(HttpStatusCode.Created);
        var notification = await app.MailOut.WaitForAsync(customerEmail, m => m.TextBody?.Contains(answer, StringComparison.Ordinal) == true);
        Assert.StartsWith("st1.", notification.MessageId, StringComparison.Ordinal);
        return new Scene(customer, customerEmail, agent, agentEmail, id, notification);
    }

    private static MimeMessage Reply(string from, MimeMessage to, string body, string? inReplyTo = null)
    {
        var reply = MailApp.Mail(from, "Re: " + to.Subject, body);
        reply.InReplyTo = inReplyTo ?? to.MessageId!;
        reply.References.Add(reply.InReplyTo);
        return reply;
    }

    /// <summary>Sends, and waits until Sportello has handled every mail it holds.</summary>
    private async Task SendAndSettleAsync(params MimeMessage[] mails)
    {
        var admin = await app.AdminAsync();
        var before = (await admin.InboundAsync()).Length;
        foreach (var mail in mails)
        {
            await app.SendAsync(mail);
        }
        await admin.HandledAsync(before + mails.Length);
    }

    private static async Task<JsonElement> DeskAsync(Scene scene) => await scene.Agent.DeskTicketAsync(scene.TicketId);

    /// <summary>Our Message-ID's shape with a signature that is not ours: what a guesser can make.</summary>
    private static string Guessed(Scene scene)
    {
        var parts = scene.Notification.MessageId!.Split('@');
        var fields = parts[0].Split('.');
        fields[^1] = new string('A', fields[^1].Length);
        return $"{string.Join('.', fields)}@{parts[1]}";
    }

    [Fact]
    public async Task AForgedAgentReply_WithTheCopiedOrAGuessedMessageId_NeverPostsNorMovesTheTicket()
    {
        var scene = await AnsweredTicketAsync();
        var before = await DeskAsync(scene);
        Assert.Equal("answered", before.GetProperty("status").GetString());

        await SendAndSettleAsync(
            Reply(scene.AgentEmail, scene.Notification, "Forged: ticket closed, refund approved."),
            Reply(scene.AgentEmail, scene.Notification, "Forged with a guessed id.", Guessed(scene)),
            Reply("mallory@evil.example", scene.Notification, "Stranger on the thread."),
            Reply(scene.CustomerEmail, scene.Notification, "Customer forged with a guessed id.", Guessed(scene)));

        var after = await DeskAsync(scene);
        Assert.Equal("answered", after.GetProperty("status").GetString());
        Assert.Equal(before.GetProperty("messages").GetArrayLength(), after.GetProperty("messages").GetArrayLength());
        Assert.DoesNotContain(after.GetProperty("messages").EnumerateArray(), m => m.GetProperty("body").GetString()!.Contains("orged", StringComparison.Ordinal));
        // The stranger's mail is a conversation of his own (its acknowledgement echoes his subject), never the customer's ticket.
        var mallory = app.MailOut.To("mallory@evil.example");
        Assert.DoesNotContain(mallory, m => m.Subject!.StartsWith($"[#{after.GetProperty("number").GetString()}]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheCustomersForgedFrom_OnTheCopiedThread_IsOnlyRegistered_AndABrokenSignatureIsNotTakenAtAll()
    {
        var scene = await AnsweredTicketAsync();
        var forged = Reply(scene.CustomerEmail, scene.Notification, "Unsigned, from the customer's address.");
        await SendAndSettleAsync(forged);

        var after = await DeskAsync(scene);
        var added = after.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("body").GetString()!.Contains("Unsigned, from", StringComparison.Ordinal));
        // Written on the thread the customer holds, but with nothing to prove who wrote it: never "verified".
        Assert.Equal("registered", added.GetProperty("trust").GetString());
        Assert.Equal("customer", added.GetProperty("author").GetProperty("kind").GetString());

        // A signature that fails (here: of another domain's key, or tampered) is a forgery: the ticket does not take it.
        var count = after.GetProperty("messages").GetArrayLength();
        var tampered = app.Sign(Reply($"agent-x@{TrustMailApp.SignedDomain}", scene.Notification, "placeholder"));
        tampered.From.Clear();
        tampered.From.Add(MailboxAddress.Parse(scene.CustomerEmail));
        await SendAndSettleAsync(tampered);
        Assert.Equal(count, (await DeskAsync(scene)).GetProperty("messages").GetArrayLength());
    }
}
