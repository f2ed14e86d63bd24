using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Web;

/// <summary>
/// Who may use what, for the whole application, in one table. The test reads every endpoint from the running app (API
/// routes, every handler of every Razor page), fills its ids with real objects of one customer, and calls it as
/// anonymous, the owner, another customer, an agent (of the object's department; the abuse desk for abuse routes), an
/// agent of another department and an admin. Each caller's answer must be the one the row's <see cref="Access"/> says.
/// An endpoint missing from the table fails the test, and so does a row whose endpoint is gone: nobody adds a route
/// without deciding who may use it.
/// </summary>
[Trait("Category", "Data")]
public sealed class AuthorizationMatrixTests(WalkApp app) : IClassFixture<WalkApp>
{
    /// <summary>The callers, in the order each endpoint is called: the ones who may not come first, so nothing they do could be what lets the others in.</summary>
    public enum Caller { Anonymous, OtherCustomer, OtherAgent, Owner, Agent, Admin }

    /// <summary>What a caller's answer means.</summary>
    public enum Answer
    {
        /// <summary>Let through: a success, a redirect elsewhere, or a refusal of the input (400, 409, 415, 422).</summary>
        Through,
        /// <summary>Not signed in: 401, or a redirect to sign-in that comes back (a page sending you to sign in as its answer, after signing out, is <see cref="Through"/>).</summary>
        SignIn,
        /// <summary>Signed in but not allowed: 403, or a redirect to the "not allowed" page.</summary>
        Forbidden,
        /// <summary>404: what another customer's (or department's) object answers, exactly like a missing one.</summary>
        Missing,
    }

    /// <summary>The rules. Each row of the table names one.</summary>
    public enum Access
    {
        /// <summary>Anyone, signed in or not (the public site, sign-in, the chat start, the status page).</summary>
        Anyone,
        /// <summary>Anyone holding the secret in the link (a random one here: everyone gets 404; the token tests use real ones).</summary>
        Secret,
        /// <summary>Whoever holds the chat's visitor token (the owner here); everyone else: 404, staff included (they use the Desk's routes).</summary>
        Visitor,
        /// <summary>Anyone signed in: their own account.</summary>
        SignedIn,
        /// <summary>Customers (their own list); staff 403.</summary>
        Customer,
        /// <summary>The owning customer; another customer 404; staff 403.</summary>
        Owner,
        /// <summary>The owning customer and the staff of the object's department; another customer or department 404.</summary>
        OwnerOrDepartment,
        /// <summary>Agents and admins (lists filtered to their departments); customers 403.</summary>
        Staff,
        /// <summary>Agents of the object's department and admins; another department 404, customers 403.</summary>
        Department,
        /// <summary>Admins; agents and customers 403.</summary>
        Admin,
        /// <summary>Not called here: the "not allowed" page (403 to everyone, by design).</summary>
        NotCalled,
    }

    private static Answer[] Expected(Access access) => access switch
    {
        // Anonymous, OtherCustomer, OtherAgent, Owner, Agent, Admin
        Access.Anyone => [Answer.Through, Answer.Through, Answer.Through, Answer.Through, Answer.Through, Answer.Through],
        Access.Secret => [Answer.Missing, Answer.Missing, Answer.Missing, Answer.Missing, Answer.Missing, Answer.Missing],
        Access.Visitor => [Answer.Missing, Answer.Missing, Answer.Missing, Answer.Through, Answer.Missing, Answer.Missing],
        Access.SignedIn => [Answer.SignIn, Answer.Through, Answer.Through, Answer.Through, Answer.Through, Answer.Through],
        Access.Customer => [Answer.SignIn, Answer.Through, Answer.Forbidden, Answer.Through, Answer.Forbidden, Answer.Forbidden],
        Access.Owner => [Answer.SignIn, Answer.Missing, Answer.Forbidden, Answer.Through, Answer.Forbidden, Answer.Forbidden],
        Access.OwnerOrDepartment => [Answer.SignIn, Answer.Missing, Answer.Missing, Answer.Through, Answer.Through, Answer.Through],
        Access.Staff => [Answer.SignIn, Answer.Forbidden, Answer.Through, Answer.Forbidden, Answer.Through, Answer.Through],
        Access.Department => [Answer.SignIn, Answer.Forbidden, Answer.Missing, Answer.Forbidden, Answer.Through, Answer.Through],
        Access.Admin => [Answer.SignIn, Answer.Forbidden, Answer.Forbidden, Answer.Forbidden, Answer.Forbidden, Answer.Through],
        _ => [],
    };

    /// <summary>
    /// THE TABLE. API routes are "METHOD /template"; page handlers "PAGE /template METHOD Handler" (no name: the page's
    /// own GET or POST). A new endpoint fails the test until it has a row here.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, Access> Table = new Dictionary<string, Access>(StringComparer.Ordinal)
    {
        ["* /health/live"] = Access.Anyone,
        ["* /health/ready"] = Access.Anyone,
        ["GET /openapi/{documentName}.json"] = Access.Anyone,
        ["* /metrics"] = Access.Anyone,
        ["* /hubs/tickets/negotiate"] = Access.SignedIn,
        ["* /hubs/tickets"] = Access.SignedIn,
        ["GET /files/{attachmentId:guid}"] = Access.OwnerOrDepartment,
        ["GET /desk/mail/{inboundId:guid}/original"] = Access.Admin,
        ["GET /health/mail"] = Access.Anyone,
        ["* /hubs/chat/negotiate"] = Access.Anyone,
        ["* /hubs/chat"] = Access.Anyone,
        ["GET /chat/{file:regex(^(widget|panel)\\.js$)}"] = Access.Anyone,
        ["GET /desk/chat-files/{attachmentId:guid}"] = Access.Department,
        ["GET /status/feed.atom"] = Access.Anyone,
        ["GET /calendar/{file}"] = Access.Secret,
        ["POST /api/v1/auth/token"] = Access.Anyone,
        ["GET /api/v1/me"] = Access.SignedIn,
        ["POST /api/v1/account/email"] = Access.SignedIn,
        ["GET /api/v1/services"] = Access.Customer,
        ["GET /api/v1/attachments/{attachmentId:guid}"] = Access.OwnerOrDepartment,
        ["GET /api/v1/desk/sla"] = Access.Staff,
        ["GET /api/v1/desk/mail/{inboundId:guid}/original"] = Access.Admin,
        ["GET /api/v1/desk/canned-answers"] = Access.Staff,
        ["GET /api/v1/notices/active"] = Access.Customer,
        ["POST /api/v1/admin/abuse-reports"] = Access.Admin,
        ["POST /api/v1/admin/customers"] = Access.Admin,
        ["GET /api/v1/admin/customers"] = Access.Admin,
        ["GET /api/v1/admin/customers/{customerId:guid}"] = Access.Admin,
        ["POST /api/v1/admin/agents"] = Access.Admin,
        ["GET /api/v1/admin/agents"] = Access.Admin,
        ["POST /api/v1/admin/customers/{customerId:guid}/services"] = Access.Admin,
        ["GET /api/v1/admin/customers/{customerId:guid}/services"] = Access.Admin,
        ["POST /api/v1/tickets"] = Access.Customer,
        ["GET /api/v1/tickets"] = Access.Customer,
        ["GET /api/v1/tickets/{ticketId:guid}"] = Access.Owner,
        ["POST /api/v1/tickets/{ticketId:guid}/messages"] = Access.Owner,
        ["POST /api/v1/tickets/{ticketId:guid}/attachments"] = Access.Owner,
        ["POST /api/v1/tickets/{ticketId:guid}/status"] = Access.Owner,
        ["GET /api/v1/desk/queue"] = Access.Staff,
        ["GET /api/v1/desk/search"] = Access.Staff,
        ["GET /api/v1/desk/search/chats"] = Access.Staff,
        ["GET /api/v1/desk/search/notices"] = Access.Staff,
        ["GET /api/v1/desk/search/abuse-cases"] = Access.Department,
        ["GET /api/v1/desk/tickets/{ticketId:guid}"] = Access.Department,
        ["POST /api/v1/desk/tickets/{ticketId:guid}/messages"] = Access.Department,
        ["POST /api/v1/desk/tickets/{ticketId:guid}/attachments"] = Access.Department,
        ["POST /api/v1/desk/tickets/{ticketId:guid}/status"] = Access.Department,
        ["POST /api/v1/desk/tickets/{ticketId:guid}/priority"] = Access.Department,
        ["POST /api/v1/desk/tickets/{ticketId:guid}/department"] = Access.Department,
        ["POST /api/v1/desk/tickets/{ticketId:guid}/assignee"] = Access.Department,
        ["POST /api/v1/desk/tickets/{ticketId:guid}/merge"] = Access.Department,
        ["GET /api/v1/admin/sla-policies"] = Access.Admin,
        ["PUT /api/v1/admin/sla-policies/{channel}/{priority}"] = Access.Admin,
        ["GET /api/v1/account/notification-addresses"] = Access.Customer,
        ["PUT /api/v1/account/notification-addresses"] = Access.Customer,
        ["GET /api/v1/admin/mail/summary"] = Access.Admin,
        ["GET /api/v1/admin/mail/inbound"] = Access.Admin,
        ["POST /api/v1/admin/mail/inbound/{inboundId:guid}/reprocess"] = Access.Admin,
        ["GET /api/v1/admin/mail/outbox"] = Access.Admin,
        ["POST /api/v1/admin/mail/outbox/{outboxId:guid}/retry"] = Access.Admin,
        ["POST /api/v1/chat/conversations"] = Access.Anyone,
        ["GET /api/v1/chat/conversations/{conversationId:guid}"] = Access.Visitor,
        ["POST /api/v1/chat/conversations/{conversationId:guid}/messages"] = Access.Visitor,
        ["GET /api/v1/chat/conversations/{conversationId:guid}/messages"] = Access.Visitor,
        ["POST /api/v1/chat/conversations/{conversationId:guid}/close"] = Access.Visitor,
        ["POST /api/v1/chat/conversations/{conversationId:guid}/read"] = Access.Visitor,
        ["POST /api/v1/chat/conversations/{conversationId:guid}/transcript"] = Access.Visitor,
        ["POST /api/v1/chat/conversations/{conversationId:guid}/attachments"] = Access.Visitor,
        ["GET /api/v1/chat/conversations/{conversationId:guid}/attachments/{attachmentId:guid}"] = Access.Visitor,
        ["GET /api/v1/chat/availability"] = Access.Anyone,
        ["POST /api/v1/chat/messages"] = Access.Anyone,
        ["GET /api/v1/desk/chats"] = Access.Staff,
        ["PUT /api/v1/desk/chats/availability"] = Access.Staff,
        ["GET /api/v1/desk/chats/{chatId:guid}/messages"] = Access.Department,
        ["POST /api/v1/desk/chats/{chatId:guid}/accept"] = Access.Department,
        ["POST /api/v1/desk/chats/{chatId:guid}/messages"] = Access.Department,
        ["POST /api/v1/desk/chats/{chatId:guid}/transfer"] = Access.Department,
        ["POST /api/v1/desk/chats/{chatId:guid}/close"] = Access.Department,
        ["POST /api/v1/desk/chats/{chatId:guid}/escalate"] = Access.Department,
        ["POST /api/v1/desk/chats/{chatId:guid}/read"] = Access.Department,
        ["POST /api/v1/desk/chats/{chatId:guid}/attachments"] = Access.Department,
        ["GET /api/v1/desk/chats/{chatId:guid}/attachments/{attachmentId:guid}"] = Access.Department,
        ["GET /api/v1/admin/canned-answers"] = Access.Admin,
        ["POST /api/v1/admin/canned-answers"] = Access.Admin,
        ["GET /api/v1/admin/canned-answers/{answerId:guid}"] = Access.Admin,
        ["PUT /api/v1/admin/canned-answers/{answerId:guid}"] = Access.Admin,
        ["GET /api/v1/admin/notices"] = Access.Admin,
        ["POST /api/v1/admin/notices"] = Access.Admin,
        ["POST /api/v1/admin/notices/preview"] = Access.Admin,
        ["GET /api/v1/admin/notices/{noticeId:guid}"] = Access.Admin,
        ["POST /api/v1/admin/notices/{noticeId:guid}/updates"] = Access.Admin,
        ["GET /api/v1/admin/notices/{noticeId:guid}/recipients"] = Access.Admin,
        ["GET /api/v1/notifications"] = Access.Customer,
        ["GET /api/v1/notifications/unread"] = Access.Customer,
        ["POST /api/v1/notifications/{notificationId:guid}/read"] = Access.Owner,
        ["POST /api/v1/notifications/read-all"] = Access.Customer,
        ["GET /api/v1/account/calendar"] = Access.Customer,
        ["POST /api/v1/account/calendar"] = Access.Customer,
        ["POST /api/v1/status/subscriptions"] = Access.Anyone,
        ["GET /api/v1/vat/rates"] = Access.Anyone,
        ["GET /api/v1/vat/quote"] = Access.Anyone,
        ["POST /api/v1/admin/vat-rates"] = Access.Admin,
        ["GET /api/v1/admin/vat-rates/changes"] = Access.Admin,
        ["GET /api/v1/invoices"] = Access.Customer,
        ["GET /api/v1/invoices/{invoiceId:guid}"] = Access.Owner,
        ["GET /api/v1/invoices/{invoiceId:guid}/pdf"] = Access.Owner,
        ["GET /api/v1/account/billing"] = Access.Customer,
        ["PUT /api/v1/account/billing"] = Access.Customer,
        ["GET /api/v1/admin/invoices"] = Access.Admin,
        ["POST /api/v1/admin/invoices"] = Access.Admin,
        ["GET /api/v1/admin/invoices/{invoiceId:guid}"] = Access.Admin,
        ["GET /api/v1/admin/invoices/{invoiceId:guid}/pdf"] = Access.Admin,
        ["POST /api/v1/admin/invoices/{invoiceId:guid}/credit-note"] = Access.Admin,
        ["GET /api/v1/orders"] = Access.Customer,
        ["GET /api/v1/orders/{orderId:guid}"] = Access.Owner,
        ["GET /api/v1/admin/orders"] = Access.Admin,
        ["POST /api/v1/admin/orders"] = Access.Admin,
        ["GET /api/v1/admin/orders/{orderId:guid}"] = Access.Admin,
        ["GET /api/v1/desk/abuse-cases"] = Access.Department,
        ["POST /api/v1/desk/abuse-cases"] = Access.Department,
        ["GET /api/v1/desk/abuse-cases/{caseId:guid}"] = Access.Department,
        ["POST /api/v1/desk/abuse-cases/{caseId:guid}/messages"] = Access.Department,
        ["POST /api/v1/desk/abuse-cases/{caseId:guid}/suspension-request"] = Access.Department,
        ["POST /api/v1/desk/abuse-cases/{caseId:guid}/resolve"] = Access.Department,
        ["POST /api/v1/desk/abuse-cases/{caseId:guid}/not-ours-answer"] = Access.Department,
        ["POST /api/v1/desk/abuse-cases/{caseId:guid}/address"] = Access.Department,
        ["GET /api/v1/desk/abuse-statistics"] = Access.Department,
        ["GET /api/v1/abuse-cases"] = Access.Customer,
        ["GET /api/v1/abuse-cases/{caseId:guid}"] = Access.Owner,
        ["POST /api/v1/abuse-cases/{caseId:guid}/messages"] = Access.Owner,
        ["PAGE /account GET"] = Access.SignedIn,
        ["PAGE /account POST Profile"] = Access.SignedIn,
        ["PAGE /account POST Password"] = Access.SignedIn,
        ["PAGE /account POST Email"] = Access.SignedIn,
        ["PAGE /account POST Addresses"] = Access.Customer,
        ["PAGE /account POST CreateToken"] = Access.SignedIn,
        ["PAGE /account POST RevokeToken"] = Access.SignedIn,
        ["PAGE /account POST DisableTwoFactor"] = Access.SignedIn,
        ["PAGE /account POST Billing"] = Access.Customer,
        ["PAGE /account POST Calendar"] = Access.Customer,
        ["PAGE /account POST RevokeCalendar"] = Access.Customer,
        ["PAGE /account/two-factor GET"] = Access.SignedIn,
        ["PAGE /account/two-factor POST Start"] = Access.SignedIn,
        ["PAGE /account/two-factor POST"] = Access.SignedIn,
        ["PAGE /confirm-email-change/{token} GET"] = Access.Anyone,
        ["PAGE /confirm-email-change/{token} POST"] = Access.Secret,
        ["PAGE /language GET"] = Access.Anyone,
        ["PAGE /language POST"] = Access.Anyone,
        ["PAGE /signin GET"] = Access.Anyone,
        ["PAGE /signin POST"] = Access.Anyone,
        ["PAGE /signin/code GET"] = Access.Anyone,
        ["PAGE /signin/code POST"] = Access.Anyone,
        ["PAGE /signout GET"] = Access.Anyone,
        ["PAGE /admin/agents GET"] = Access.Admin,
        ["PAGE /admin/agents POST"] = Access.Admin,
        ["PAGE /admin/canned-answers GET"] = Access.Admin,
        ["PAGE /admin/canned-answers POST Save"] = Access.Admin,
        ["PAGE /admin/canned-answers POST Remove"] = Access.Admin,
        ["PAGE /admin/customers/{customerId:guid} GET"] = Access.Admin,
        ["PAGE /admin/customers/{customerId:guid} POST"] = Access.Admin,
        ["PAGE /admin/customers GET"] = Access.Admin,
        ["PAGE /admin/customers POST"] = Access.Admin,
        ["PAGE /admin GET"] = Access.Admin,
        ["PAGE /admin/invoices/{invoiceId:guid}/{handler:regex(^pdf$)?} GET"] = Access.Admin,
        ["PAGE /admin/invoices/{invoiceId:guid}/{handler:regex(^pdf$)?} GET Pdf"] = Access.Admin,
        ["PAGE /admin/invoices/{invoiceId:guid}/{handler:regex(^pdf$)?} POST Credit"] = Access.Admin,
        ["PAGE /admin/invoices GET"] = Access.Admin,
        ["PAGE /admin/invoices POST MoreLines"] = Access.Admin,
        ["PAGE /admin/invoices POST"] = Access.Admin,
        ["PAGE /admin/mail GET"] = Access.Admin,
        ["PAGE /admin/mail POST Reprocess"] = Access.Admin,
        ["PAGE /admin/mail POST Retry"] = Access.Admin,
        ["PAGE /admin/notices/{noticeId:guid} GET"] = Access.Admin,
        ["PAGE /admin/notices/{noticeId:guid} POST"] = Access.Admin,
        ["PAGE /admin/notices GET"] = Access.Admin,
        ["PAGE /admin/notices POST Preview"] = Access.Admin,
        ["PAGE /admin/notices POST Publish"] = Access.Admin,
        ["PAGE /admin/orders GET"] = Access.Admin,
        ["PAGE /admin/orders POST MoreLines"] = Access.Admin,
        ["PAGE /admin/orders POST"] = Access.Admin,
        ["PAGE /admin/sla GET"] = Access.Admin,
        ["PAGE /admin/sla POST Policy"] = Access.Admin,
        ["PAGE /admin/vat GET"] = Access.Admin,
        ["PAGE /admin/vat POST Add"] = Access.Admin,
        ["PAGE /admin/vat POST Withdraw"] = Access.Admin,
        ["PAGE /invoices/{invoiceId:guid}/{handler:regex(^pdf$)?} GET"] = Access.Owner,
        ["PAGE /invoices/{invoiceId:guid}/{handler:regex(^pdf$)?} GET Pdf"] = Access.Owner,
        ["PAGE /invoices GET"] = Access.Customer,
        ["PAGE /orders/{orderId:guid} GET"] = Access.Owner,
        ["PAGE /orders GET"] = Access.Customer,
        ["PAGE /prices GET"] = Access.Anyone,
        ["PAGE /chat/transcript/{token} GET"] = Access.Anyone,
        ["PAGE /chat/transcript/{token} POST"] = Access.Secret,
        ["PAGE /abuse-cases/{caseId:guid} GET"] = Access.Owner,
        ["PAGE /abuse-cases/{caseId:guid} POST Answer"] = Access.Owner,
        ["PAGE /abuse-cases GET"] = Access.Customer,
        ["PAGE / GET"] = Access.SignedIn,
        ["PAGE /tickets/new GET"] = Access.Customer,
        ["PAGE /tickets/new POST"] = Access.Customer,
        ["PAGE /notifications GET"] = Access.Customer,
        ["PAGE /notifications POST Read"] = Access.Customer,
        ["PAGE /notifications POST ReadAll"] = Access.Customer,
        ["PAGE /tickets/{ticketId:guid} GET"] = Access.Owner,
        ["PAGE /tickets/{ticketId:guid} POST Reply"] = Access.Owner,
        ["PAGE /tickets/{ticketId:guid} POST Close"] = Access.Owner,
        ["PAGE /tickets GET"] = Access.Customer,
        ["PAGE /contact GET"] = Access.Anyone,
        ["PAGE /desk/abuse GET"] = Access.Department,
        ["PAGE /desk/abuse/{caseId:guid} GET"] = Access.Department,
        ["PAGE /desk/abuse/{caseId:guid} POST Address"] = Access.Department,
        ["PAGE /desk/abuse/{caseId:guid} POST Message"] = Access.Department,
        ["PAGE /desk/abuse/{caseId:guid} POST Suspension"] = Access.Department,
        ["PAGE /desk/abuse/{caseId:guid} POST Resolve"] = Access.Department,
        ["PAGE /desk/abuse/{caseId:guid} POST NotOurs"] = Access.Department,
        ["PAGE /desk/abuse/new GET"] = Access.Department,
        ["PAGE /desk/abuse/new POST"] = Access.Department,
        ["PAGE /desk/abuse/statistics GET"] = Access.Department,
        ["PAGE /desk/chats/{chatId:guid} GET"] = Access.Department,
        ["PAGE /desk/chats/{chatId:guid} GET Suggestions"] = Access.Department,
        ["PAGE /desk/chats/{chatId:guid} POST Accept"] = Access.Department,
        ["PAGE /desk/chats/{chatId:guid} POST Answer"] = Access.Department,
        ["PAGE /desk/chats/{chatId:guid} POST Files"] = Access.Department,
        ["PAGE /desk/chats/{chatId:guid} POST Transfer"] = Access.Department,
        ["PAGE /desk/chats/{chatId:guid} POST Close"] = Access.Department,
        ["PAGE /desk/chats/{chatId:guid} POST Escalate"] = Access.Department,
        ["PAGE /desk/chats GET"] = Access.Staff,
        ["PAGE /desk/search GET"] = Access.Staff,
        ["PAGE /desk/chats POST Availability"] = Access.Staff,
        ["PAGE /desk GET"] = Access.Staff,
        ["PAGE /desk/tickets/{ticketId:guid} GET"] = Access.Department,
        ["PAGE /desk/tickets/{ticketId:guid} POST Reply"] = Access.Department,
        ["PAGE /desk/tickets/{ticketId:guid} POST Take"] = Access.Department,
        ["PAGE /desk/tickets/{ticketId:guid} POST Assign"] = Access.Department,
        ["PAGE /desk/tickets/{ticketId:guid} POST Status"] = Access.Department,
        ["PAGE /desk/tickets/{ticketId:guid} POST Priority"] = Access.Department,
        ["PAGE /desk/tickets/{ticketId:guid} POST Department"] = Access.Department,
        ["PAGE /desk/tickets/{ticketId:guid} POST Merge"] = Access.Department,
        ["PAGE /desk/tickets/{ticketId:guid}/billing GET"] = Access.Department,
        ["PAGE /confirm-address/{token} GET"] = Access.Anyone,
        ["PAGE /confirm-address/{token} POST"] = Access.Secret,
        ["PAGE /status/subscriptions/confirm/{token} GET"] = Access.Anyone,
        ["PAGE /status/subscriptions/confirm/{token} POST"] = Access.Secret,
        ["PAGE /status GET"] = Access.Anyone,
        ["PAGE /status POST"] = Access.Anyone,
        ["PAGE /status/unsubscribe/{token} GET"] = Access.Anyone,
        ["PAGE /status/unsubscribe/{token} POST"] = Access.Secret,
        ["PAGE /error/{code:int?} GET"] = Access.Anyone,
        ["PAGE /error/{code:int?} POST"] = Access.Anyone,
        ["PAGE /forbidden GET"] = Access.NotCalled,
        ["DELETE /api/v1/admin/canned-answers/{answerId:guid}"] = Access.Admin,
        ["DELETE /api/v1/account/calendar"] = Access.Customer,
        ["DELETE /api/v1/admin/vat-rates/{rateId:guid}"] = Access.Admin,
        ["PAGE /account POST SignOutEverywhere"] = Access.SignedIn,
        ["DELETE /api/v1/auth/token"] = Access.SignedIn,
        ["PAGE /signout POST"] = Access.Anyone,
    };

    /// <summary>Rows whose object is named in the form, which the matrix does not fill, or is gone by the time the row is called.</summary>
    private static readonly HashSet<string> NamedInForm =
    [
        "PAGE /account POST RevokeToken", "PAGE /admin/canned-answers POST Remove", "PAGE /admin/mail POST Reprocess", "PAGE /admin/mail POST Retry",
        "PAGE /admin/sla POST Policy", "PAGE /admin/vat POST Withdraw", "PAGE /notifications POST Read",
        // The calendar link the account page's RevokeCalendar has already withdrawn.
        "DELETE /api/v1/account/calendar",
        // Only a failed mail can be retried: the matrix's is queued, and "not found" as a failed one.
        "POST /api/v1/admin/mail/outbox/{outboxId:guid}/retry",
    ];

    /// <summary>
    /// THE HUBS' TABLE: every public method of every hub ("Hub.Method"), with the same rules. On the chat hub the owner
    /// is the visitor holding the conversation's token (everyone else sends a wrong one). A method that says nothing
    /// when refused (typing signals) is judged by whether its event reaches the other side.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, Access> HubTable = new Dictionary<string, Access>(StringComparer.Ordinal)
    {
        ["TicketsHub.WatchTicket"] = Access.OwnerOrDepartment,
        ["TicketsHub.Replying"] = Access.Department,
        ["ChatHub.Join"] = Access.Visitor,
        ["ChatHub.State"] = Access.Visitor,
        ["ChatHub.Send"] = Access.Visitor,
        ["ChatHub.Typing"] = Access.Visitor,
        ["ChatHub.Seen"] = Access.Visitor,
        ["ChatHub.AgentSeen"] = Access.Department,
        ["ChatHub.WatchQueue"] = Access.Staff,
        ["ChatHub.Heartbeat"] = Access.Staff,
        ["ChatHub.SetAvailability"] = Access.Staff,
        ["ChatHub.Watch"] = Access.Department,
        ["ChatHub.Answer"] = Access.Department,
        ["ChatHub.AgentTyping"] = Access.Department,
    };

    private sealed record Endpoint(string Key, string Method, string Template, bool Page);

    private sealed class World
    {
        public Dictionary<Caller, HttpClient> Api { get; } = [];
        public Dictionary<Caller, HttpClient> Web { get; } = [];
        public Dictionary<Caller, HttpClient> AbuseApi { get; } = [];
        public Dictionary<Caller, HttpClient> AbuseWeb { get; } = [];
        public Dictionary<string, string> Ids { get; } = [];
        public string VisitorToken { get; set; } = "";
        public string ChatFileId { get; set; } = "";
    }

    private const string AgentPassword = "agent passphrase 2026";
    private const string CustomerPassword = "customer passphrase 2026";

    private async Task<World> WorldAsync()
    {
        var world = new World();
        var tag = Unique.Next();
        var admin = await app.AdminAsync();
        async Task<(string Id, string Email, string ServiceId)> CustomerAsync(string name, int octet)
        {
            var (email, order, _) = Unique.Customer($"{name}{tag}");
            var id = (await admin.CreateCustomerAsync(email)).GetProperty("id").GetString()!;
            var service = await admin.AddServiceAsync(id, order, $"198.18.{190 + octet}.{tag % 250 + 1}");
            return (id, email, service.GetProperty("id").GetString()!);
        }
        var owner = await CustomerAsync("matrixowner", 0);
        var other = await CustomerAsync("matrixother", 1);
        var technical = $"matrix-tech{tag}@sportello.test";
        var financial = $"matrix-fin{tag}@sportello.test";
        var abuse = $"matrix-abuse{tag}@sportello.test";
        world.Api[Caller.Anonymous] = app.Anonymous();
        world.Api[Caller.Owner] = await app.SignInAsync(owner.Email, CustomerPassword);
        world.Api[Caller.OtherCustomer] = await app.SignInAsync(other.Email, CustomerPassword);
        world.Api[Caller.Agent] = await app.AgentAsync(technical, "technical");
        world.Api[Caller.OtherAgent] = await app.AgentAsync(financial, "financial");
        world.Api[Caller.Admin] = admin;
        world.Web[Caller.Anonymous] = app.Anonymous();
        world.Web[Caller.Owner] = await app.SignInWebAsync(owner.Email, CustomerPassword);
        world.Web[Caller.OtherCustomer] = await app.SignInWebAsync(other.Email, CustomerPassword);
        world.Web[Caller.Agent] = await app.SignInWebAsync(technical, AgentPassword);
        world.Web[Caller.OtherAgent] = await app.SignInWebAsync(financial, AgentPassword);
        world.Web[Caller.Admin] = await app.SignInWebAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword);
        // On the abuse desk's routes "the agent" is one of the abuse department.
        foreach (var (caller, client) in world.Api)
        {
            world.AbuseApi[caller] = client;
        }
        foreach (var (caller, client) in world.Web)
        {
            world.AbuseWeb[caller] = client;
        }
        world.AbuseApi[Caller.Agent] = await app.AgentAsync(abuse, "abuse");
        world.AbuseWeb[Caller.Agent] = await app.SignInWebAsync(abuse, AgentPassword);

        var customer = world.Api[Caller.Owner];
        world.Ids["customerId"] = owner.Id;
        world.Ids["serviceId"] = owner.ServiceId;
        var ticket = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = $"Matrix {tag}", description = "Slow." });
        world.Ids["ticketId"] = ticket.GetProperty("id").GetString()!;
        using (var upload = new MultipartFormDataContent { { new ByteArrayContent("matrix"u8.ToArray()), "files", "matrix.txt" } })
        {
            world.Ids["attachmentId"] = (await (await customer.PostAsync($"/api/v1/tickets/{world.Ids["ticketId"]}/attachments", upload))
                .JsonAsync(HttpStatusCode.Created))[0].GetProperty("id").GetString()!;
        }
        var chat = await (await app.Anonymous().PostAsJsonAsync("/api/v1/chat/conversations", new { message = "Matrix chat.", department = "technical" }))
            .JsonAsync(HttpStatusCode.Created);
        world.Ids["chatId"] = world.Ids["conversationId"] = chat.GetProperty("id").GetString()!;
        world.VisitorToken = chat.GetProperty("visitorToken").GetString()!;
        using (var upload = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/chat/conversations/{world.Ids["chatId"]}/attachments")
        {
            Content = new MultipartFormDataContent { { new ByteArrayContent("matrix"u8.ToArray()), "files", "matrix.txt" } },
        })
        {
            upload.Headers.Add("X-Chat-Token", world.VisitorToken);
            world.ChatFileId = (await (await app.Anonymous().SendAsync(upload)).JsonAsync(HttpStatusCode.Created))[0].GetProperty("id").GetString()!;
        }
        world.Ids["caseId"] = (await (await admin.PostAsJsonAsync("/api/v1/admin/abuse-reports",
                new { type = "spam", sourceIp = $"198.18.190.{tag % 250 + 1}", evidence = "Spam." }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("caseId").GetString()!;
        (await customer.PutAsJsonAsync("/api/v1/account/billing", new { company = "Matrix S.r.l.", address = "Via Roma 1, Milano", country = "IT" }))
            .EnsureSuccessStatusCode();
        world.Ids["invoiceId"] = (await (await admin.PostAsJsonAsync("/api/v1/admin/invoices",
                new { customerId = owner.Id, lines = new[] { new { description = "Hosting", netCents = 1000 } } }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        world.Ids["orderId"] = (await (await admin.PostAsJsonAsync("/api/v1/admin/orders",
                new { customerId = owner.Id, orderNumber = $"{770000 + tag}", lines = new[] { new { description = "VPS", netCents = 1000 } } }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        world.Ids["answerId"] = (await (await admin.PostAsJsonAsync("/api/v1/admin/canned-answers", new { title = $"Matrix {tag}", bodyEn = "Hello." }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        world.Ids["noticeId"] = (await (await admin.PostAsJsonAsync("/api/v1/admin/notices",
                new { kind = "incident", title = $"Matrix {tag}", body = "Work.", affects = new { serviceIds = new[] { owner.ServiceId } } }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        await Eventually.TrueAsync(async () =>
        {
            var inbox = await (await customer.GetAsync("/api/v1/notifications")).JsonAsync(HttpStatusCode.OK);
            if (inbox.EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } first)
            {
                world.Ids["notificationId"] = first.GetProperty("id").GetString()!;
                return true;
            }
            return false;
        }, "the notice to reach the owner's inbox");
        foreach (var client in new[] { customer, world.Api[Caller.OtherCustomer] })
        {
            (await client.PostAsync("/api/v1/account/calendar", null)).EnsureSuccessStatusCode();
        }
        var outbox = await (await admin.GetAsync("/api/v1/admin/mail/outbox")).JsonAsync(HttpStatusCode.OK);
        if (outbox.EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } mail)
        {
            world.Ids["outboxId"] = mail.GetProperty("id").GetString()!;
        }
        return world;
    }

    private static string Fill(World world, string template) =>
        Regex.Replace(template, @"\{([^}:?=]+)[^}]*\}", m =>
        {
            var name = m.Groups[1].Value;
            if (name == "attachmentId" && template.Contains("chat", StringComparison.Ordinal))
            {
                return world.ChatFileId;
            }
            return world.Ids.TryGetValue(name, out var id) ? id : name switch
            {
                "documentName" => "v1",
                "file" => template.StartsWith("/chat/", StringComparison.Ordinal) ? "widget.js" : $"{Guid.NewGuid():N}.ics",
                "channel" => "web",
                "priority" => "normal",
                "handler" => "",
                "code" => "400",
                "token" => Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('/', '_').Replace('+', '-'),
                _ => Guid.NewGuid().ToString(),
            };
        }).Replace("//", "/", StringComparison.Ordinal).TrimEnd('/') is { Length: > 0 } url ? url : "/";

    private List<Endpoint> ApiEndpoints() =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<PageActionDescriptor>() is null)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(m => new Endpoint($"{m} /{e.RoutePattern.RawText!.TrimStart('/')}".TrimEnd('/'), m, "/" + e.RoutePattern.RawText!.TrimStart('/'), false)))
            .DistinctBy(e => e.Key)
            .ToList();

    private async Task<List<Endpoint>> PageEndpointsAsync()
    {
        var loader = app.Services.GetRequiredService<PageLoader>();
        var pages = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Page: e.Metadata.GetMetadata<PageActionDescriptor>()))
            .Where(p => p.Page is not null)
            .DistinctBy(p => p.Endpoint.RoutePattern.RawText);
        var endpoints = new List<Endpoint>();
        foreach (var (endpoint, page) in pages)
        {
            var compiled = await loader.LoadAsync(page!, EndpointMetadataCollection.Empty);
            var template = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            var handlers = compiled.HandlerMethods.Select(h => (h.HttpMethod.ToUpperInvariant(), h.Name ?? "")).ToList();
            if (!handlers.Any(h => h.Item1 == "GET"))
            {
                handlers.Add(("GET", ""));
            }
            endpoints.AddRange(handlers.Distinct().Select(h =>
                new Endpoint($"PAGE {template} {h.Item1} {h.Item2}".TrimEnd(), h.Item1, template, true)));
        }
        return endpoints;
    }

    private static Answer Classify(HttpResponseMessage response)
    {
        var location = response.Headers.Location is { } l ? (l.IsAbsoluteUri ? l.PathAndQuery : l.OriginalString) : "";
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => Answer.SignIn,
            HttpStatusCode.Forbidden => Answer.Forbidden,
            HttpStatusCode.NotFound => Answer.Missing,
            HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther
                when location.StartsWith("/signin", StringComparison.Ordinal) && location.Contains("ReturnUrl=", StringComparison.Ordinal) => Answer.SignIn,
            HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther when location.StartsWith("/forbidden", StringComparison.Ordinal) => Answer.Forbidden,
            _ => Answer.Through,
        };
    }

    private readonly Dictionary<HttpClient, string> antiforgery = [];

    private async Task<HttpResponseMessage> CallAsync(World world, Endpoint endpoint, Caller caller)
    {
        var abuse = endpoint.Template.Contains("abuse", StringComparison.Ordinal);
        // Pages and the downloads outside /api take the session cookie; the API takes a token.
        var web = endpoint.Page || !endpoint.Template.StartsWith("/api/", StringComparison.Ordinal);
        var client = web ? (abuse ? world.AbuseWeb : world.Web)[caller] : (abuse ? world.AbuseApi : world.Api)[caller];
        var url = Fill(world, endpoint.Template);
        if (endpoint.Page)
        {
            var handler = endpoint.Key.Split(' ') is [_, _, _, var name] ? name : "";
            if (handler.Length > 0)
            {
                url += $"?handler={handler}";
            }
            if (endpoint.Method == "GET")
            {
                return await client.GetAsync(url);
            }
            if (!antiforgery.TryGetValue(client, out var token))
            {
                token = antiforgery[client] = WebForms.AntiforgeryToken(await client.GetPageAsync(caller == Caller.Anonymous ? "/signin" : "/account"));
            }
            using var form = new HttpRequestMessage(new HttpMethod(endpoint.Method), url)
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }),
            };
            return await client.SendAsync(form);
        }
        using var request = new HttpRequestMessage(new HttpMethod(endpoint.Method == "*" ? "GET" : endpoint.Method), url);
        if (endpoint.Method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }
        if (caller == Caller.Owner && url.StartsWith("/api/v1/chat/conversations/", StringComparison.Ordinal))
        {
            request.Headers.Add("X-Chat-Token", world.VisitorToken);
        }
        return await client.SendAsync(request);
    }

    // Calls that end the caller's session go last, so that every other row is called signed in.
    private static int Order(Endpoint endpoint) =>
        endpoint.Key is "DELETE /api/v1/auth/token" or "PAGE /signout POST" ? 3 : endpoint.Key == "PAGE /account POST SignOutEverywhere" ? 2 : endpoint.Method == "DELETE" ? 1 : 0;

    [Fact]
    public async Task EveryEndpoint_HasARow_AndEveryCaller_GetsTheAnswerOfItsRow()
    {
        var endpoints = ApiEndpoints().Concat(await PageEndpointsAsync()).ToList();
        // The table is read from the app, not typed in: it holds the API, the pages and their handlers.
        Assert.True(endpoints.Count(e => !e.Page) >= 120, $"only {endpoints.Count(e => !e.Page)} API routes found");
        Assert.Contains(endpoints, e => e.Key == "PAGE /tickets/{ticketId:guid} POST Reply");
        var keys = endpoints.Select(e => e.Key).ToHashSet();
        var missing = endpoints.Where(e => !Table.ContainsKey(e.Key)).Select(e => e.Key).ToList();
        var stale = Table.Keys.Where(k => !keys.Contains(k)).ToList();

        var world = await WorldAsync();
        var wrong = new List<string>();
        var observed = new List<string>();
        var calls = 0;
        foreach (var endpoint in endpoints.OrderBy(Order))
        {
            var access = Table.TryGetValue(endpoint.Key, out var a) ? a : (Access?)null;
            if (access == Access.NotCalled)
            {
                continue;
            }
            var expected = access is { } known ? Expected(known) : null;
            var answers = new List<Answer>();
            foreach (var caller in Enum.GetValues<Caller>())
            {
                using var response = await CallAsync(world, endpoint, caller);
                calls++;
                Assert.True((int)response.StatusCode < 500, $"{endpoint.Key} as {caller}: {(int)response.StatusCode}");
                var answer = Classify(response);
                answers.Add(answer);
                // Where the matrix names no real object (an id it cannot make, an object named in a form), the callers
                // let through find nothing: 404 is their answer too.
                var unnamed = NamedInForm.Contains(endpoint.Key) || Regex.Matches(endpoint.Template, @"\{([^}:?=]+)").Any(m => m.Groups[1].Value.EndsWith("Id", StringComparison.Ordinal) && !world.Ids.ContainsKey(m.Groups[1].Value));
                if (expected is not null && expected[(int)caller] != answer && !(unnamed && expected[(int)caller] == Answer.Through && answer == Answer.Missing))
                {
                    wrong.Add($"{endpoint.Key} as {caller}: {(int)response.StatusCode} {response.Headers.Location} ({answer}), the row ({access}) says {expected[(int)caller]}");
                }
            }
            var guess = Enum.GetValues<Access>().Where(x => Expected(x).SequenceEqual(answers)).Select(x => x.ToString()).FirstOrDefault() ?? string.Join("/", answers);
            observed.Add($"[\"{endpoint.Key}\"] = Access.{guess},");
        }
        // Methods no form sends reach no handler (a page model's filter overrides once answered "PAGE" with 500).
        foreach (var template in endpoints.Where(e => e.Page).Select(e => e.Template).Distinct())
        {
            foreach (var method in new[] { "PAGE", "PUT", "DELETE", "PATCH", "OPTIONS" })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), Fill(world, template));
                using var response = await world.Web[Caller.Admin].SendAsync(request);
                calls++;
                Assert.True((int)response.StatusCode < 500 && !response.IsSuccessStatusCode, $"{method} {template}: {(int)response.StatusCode}");
            }
        }
        TestContext.Current.SendDiagnosticMessage($"authorization matrix: {endpoints.Count} endpoints, {calls} calls");
        if (missing.Count > 0 || wrong.Count > 0)
        {
            File.WriteAllLines(Path.Combine(Path.GetTempPath(), "sportello-matrix-observed.txt"), observed);
        }
        Assert.True(missing.Count == 0, "Endpoints without a row in the table (decide who may use them):\n" + string.Join("\n", missing));
        Assert.True(stale.Count == 0, "Rows whose endpoint is gone:\n" + string.Join("\n", stale));
        Assert.True(wrong.Count == 0, "Answers that differ from the table:\n" + string.Join("\n", wrong));
    }

    /// <summary>The event a method that is silent when refused sends, and who hears it.</summary>
    private static readonly Dictionary<string, string> SilentMethods = new(StringComparer.Ordinal)
    {
        ["TicketsHub.Replying"] = "agentReplying", ["ChatHub.Typing"] = "typing", ["ChatHub.AgentTyping"] = "typing",
    };

    private static bool Refused(HubException refusal) =>
        refusal.Message.Contains("Not found", StringComparison.Ordinal) || refusal.Message.Contains("Only agents", StringComparison.Ordinal);

    [Fact]
    public async Task EveryHubMethod_HasARow_AndEveryCaller_GetsTheAnswerOfItsRow()
    {
        var hubs = app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.SignalR.HubMetadata>()?.HubType).OfType<Type>().Distinct().ToList();
        Assert.Equal(2, hubs.Count);
        var methods = hubs.SelectMany(h => h.GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.Name is not ("OnConnectedAsync" or "OnDisconnectedAsync"))
            .Select(m => (Key: $"{h.Name}.{m.Name}", Hub: h, Method: m))).ToList();
        var missing = methods.Where(m => !HubTable.ContainsKey(m.Key)).Select(m => m.Key).ToList();
        Assert.True(missing.Count == 0, "Hub methods without a row (decide who may call them):\n" + string.Join("\n", missing));
        Assert.True(HubTable.Keys.All(k => methods.Any(m => m.Key == k)), "Rows whose hub method is gone");

        var world = await WorldAsync();
        var ticketId = Guid.Parse(world.Ids["ticketId"]);
        var chatId = Guid.Parse(world.Ids["chatId"]);
        string? Token(Caller caller) => caller == Caller.Anonymous ? null : world.Api[caller].DefaultRequestHeaders.Authorization!.Parameter;
        var heard = new Dictionary<string, int>(StringComparer.Ordinal);
        void Listen(HubConnection connection, string name) => connection.On<object>(name, _ => { lock (heard) { heard[name] = heard.GetValueOrDefault(name) + 1; } });
        int Heard(string name) { lock (heard) { return heard.GetValueOrDefault(name); } }

        // The other side of the silent methods: an agent on the ticket's page, an admin on the chat, the visitor in it.
        var listenerEmail = $"matrix-listener{Unique.Next()}@sportello.test";
        await using var ticketListener = await Hubs.ConnectAsync(app, "hubs/tickets", (await app.AgentAsync(listenerEmail, "technical")).DefaultRequestHeaders.Authorization!.Parameter,
            c => Listen(c, "agentReplying"));
        Assert.True(await ticketListener.InvokeAsync<bool>("WatchTicket", ticketId, TestContext.Current.CancellationToken));
        await using var staffListener = await Hubs.ConnectAsync(app, "hubs/chat", (await app.AdminAsync()).DefaultRequestHeaders.Authorization!.Parameter, c => Listen(c, "typing:staff"));
        staffListener.Remove("typing:staff");
        staffListener.On<object>("typing", _ => { lock (heard) { heard["ChatHub.Typing"] = heard.GetValueOrDefault("ChatHub.Typing") + 1; } });
        await staffListener.InvokeAsync<object>("Watch", chatId, 0L, TestContext.Current.CancellationToken);
        await using var visitorListener = await Hubs.ConnectAsync(app, "hubs/chat", null,
            c => c.On<object>("typing", _ => { lock (heard) { heard["ChatHub.AgentTyping"] = heard.GetValueOrDefault("ChatHub.AgentTyping") + 1; } }));
        await visitorListener.InvokeAsync<object>("Join", chatId, world.VisitorToken, 0L, TestContext.Current.CancellationToken);
        // The agent takes the chat, so that answering it is the agent's to do.
        (await world.Api[Caller.Agent].PostAsync($"/api/v1/desk/chats/{chatId}/accept", null)).EnsureSuccessStatusCode();

        var connections = new Dictionary<(string Hub, Caller Caller), HubConnection?>();
        var wrong = new List<string>();
        try
        {
            foreach (var (key, hub, method) in methods)
            {
                var path = hub.Name == "TicketsHub" ? "hubs/tickets" : "hubs/chat";
                var expected = Expected(HubTable[key]);
                var silent = SilentMethods.ContainsKey(key);
                var eventKey = key == "TicketsHub.Replying" ? "agentReplying" : key;
                var allowed = 0;
                foreach (var caller in Enum.GetValues<Caller>())
                {
                    if (!connections.TryGetValue((path, caller), out var connection))
                    {
                        try
                        {
                            connection = await Hubs.ConnectAsync(app, path, Token(caller), _ => { });
                        }
                        catch (HttpRequestException refused) when (refused.StatusCode == HttpStatusCode.Unauthorized)
                        {
                            connection = null;
                        }
                        connections[(path, caller)] = connection;
                    }
                    var arguments = method.GetParameters().Where(p => p.ParameterType.IsPrimitive || p.ParameterType == typeof(Guid) || p.ParameterType == typeof(string))
                        .Select(p => (object?)(p.Name switch
                        {
                            "ticketId" => ticketId,
                            "conversationId" => chatId,
                            "visitorToken" => caller == Caller.Owner ? world.VisitorToken : "not-the-visitors-token",
                            "body" => $"Hub matrix, {caller}.",
                            "status" => "online",
                            _ when p.ParameterType == typeof(long) => 0L,
                            _ when p.ParameterType == typeof(bool) => false,
                            _ => throw new InvalidOperationException($"{key}: no value for {p.Name}"),
                        })).ToArray();
                    Answer answer;
                    if (connection is null)
                    {
                        answer = Answer.SignIn;
                    }
                    else
                    {
                        var before = Heard(eventKey);
                        try
                        {
                            var result = await connection.InvokeCoreAsync(method.Name, typeof(object), arguments, TestContext.Current.CancellationToken);
                            answer = result is JsonElement { ValueKind: JsonValueKind.False } ? Answer.Missing : Answer.Through;
                        }
                        catch (HubException refusal) when (Refused(refusal))
                        {
                            answer = caller == Caller.Anonymous ? Answer.SignIn : refusal.Message.Contains("Only agents", StringComparison.Ordinal) ? Answer.Forbidden : Answer.Missing;
                        }
                        catch (HubException)
                        {
                            answer = Answer.Through; // let in, and told what was wrong with the input
                        }
                        if (silent && answer == Answer.Through)
                        {
                            // Said nothing: did its event reach the other side?
                            if (expected[(int)caller] == Answer.Through)
                            {
                                allowed++;
                                await Eventually.TrueAsync(() => Task.FromResult(Heard(eventKey) > before), $"{key} by {caller} to be heard");
                            }
                            else
                            {
                                answer = Heard(eventKey) > before ? Answer.Through : expected[(int)caller];
                            }
                        }
                    }
                    var fits = answer == expected[(int)caller]
                        || (expected[(int)caller] is not Answer.Through && answer is not Answer.Through);
                    if (!fits)
                    {
                        wrong.Add($"{key} as {caller}: {answer}, the row ({HubTable[key]}) says {expected[(int)caller]}");
                    }
                }
                if (silent)
                {
                    // Nothing a refused caller sent arrived late either: only the allowed callers' events were heard.
                    await Task.Delay(200, TestContext.Current.CancellationToken);
                    Assert.True(Heard(eventKey) == allowed, $"{key}: {Heard(eventKey)} events heard, {allowed} allowed");
                    lock (heard)
                    {
                        heard[eventKey] = 0;
                    }
                }
            }
        }
        finally
        {
            foreach (var connection in connections.Values.OfType<HubConnection>())
            {
                await connection.DisposeAsync();
            }
        }
        Assert.True(wrong.Count == 0, "Answers that differ from the hubs' table:\n" + string.Join("\n", wrong));
    }

    /// <summary>Page posts that take no antiforgery token, on purpose (each says why where it is declared).</summary>
    private static readonly HashSet<string> WithoutAntiforgery =
    [
        // RFC 8058 one-click unsubscribe: the mail client posts, with no page and no token; it can only unsubscribe.
        "PAGE /status/unsubscribe/{token} POST",
        // The error page, re-executed for a failed post.
        "PAGE /error/{code:int?} POST",
    ];

    [Fact]
    public async Task EveryPagePost_WithoutItsAntiforgeryToken_IsRefused_AndChangesNothing()
    {
        var posts = (await PageEndpointsAsync()).Where(e => e.Method == "POST").ToList();
        Assert.True(posts.Count >= 60, $"only {posts.Count} page posts found");
        var world = await WorldAsync();
        var unguarded = new List<string>();
        foreach (var post in posts.OrderBy(Order))
        {
            var handler = post.Key.Split(' ') is [_, _, _, var name] ? name : "";
            var url = Fill(world, post.Template) + (handler.Length > 0 ? $"?handler={handler}" : "");
            foreach (var caller in new[] { Caller.Owner, Caller.Agent, Caller.Admin, Caller.Anonymous })
            {
                var client = (post.Template.Contains("abuse", StringComparison.Ordinal) ? world.AbuseWeb : world.Web)[caller];
                using var response = await client.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["Body"] = "Without a token.", ["Input.Subject"] = "Without a token", ["Input.Description"] = "Forged.",
                }));
                var refused = response.StatusCode == HttpStatusCode.BadRequest || Classify(response) is Answer.SignIn or Answer.Forbidden or Answer.Missing;
                if (!refused && !WithoutAntiforgery.Contains(post.Key))
                {
                    unguarded.Add($"{post.Key} as {caller}: {(int)response.StatusCode} {response.Headers.Location}");
                }
            }
        }
        Assert.True(unguarded.Count == 0, "Page posts taken without an antiforgery token:\n" + string.Join("\n", unguarded));
        Assert.All(WithoutAntiforgery, key => Assert.Contains(posts, p => p.Key == key));
        // Nothing the forged posts wrote reached the owner's ticket.
        var detail = await world.Api[Caller.Admin].DeskTicketAsync(world.Ids["ticketId"]);
        Assert.DoesNotContain("Without a token.", detail.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cors_AnswersTheWidgetsSite_OnTheWidgetsRoutesOnly_AndNoOtherSiteAnywhere()
    {
        var endpoints = ApiEndpoints();
        var world = await WorldAsync();
        var open = new List<string>();
        foreach (var endpoint in endpoints.Where(e => e.Method is "GET" or "POST" or "PUT" or "DELETE" or "*"))
        {
            var url = Fill(world, endpoint.Template);
            foreach (var origin in new[] { WalkApp.WidgetSite, "https://attacker.example" })
            {
                using var preflight = new HttpRequestMessage(HttpMethod.Options, url);
                preflight.Headers.Add("Origin", origin);
                preflight.Headers.Add("Access-Control-Request-Method", endpoint.Method == "*" ? "GET" : endpoint.Method);
                preflight.Headers.Add("Access-Control-Request-Headers", "content-type");
                using var response = await world.Api[Caller.Anonymous].SendAsync(preflight);
                if (response.Headers.TryGetValues("Access-Control-Allow-Origin", out var allowed))
                {
                    open.Add($"{endpoint.Key} for {origin}: {string.Join(",", allowed)}");
                }
            }
        }
        // The widget's site is answered on the widget's routes (the chat API and hub), and nowhere else; no other site is.
        var widget = open.Where(o => o.Contains($"for {WalkApp.WidgetSite}", StringComparison.Ordinal)).ToList();
        Assert.Contains(widget, o => o.StartsWith("POST /api/v1/chat/conversations ", StringComparison.Ordinal));
        Assert.All(widget, o => Assert.Matches(@"^\S+ /(api/v1/chat/|hubs/chat)", o));
        Assert.DoesNotContain(open, o => o.Contains("attacker.example", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryPage_CarriesAStrictContentSecurityPolicy_WithoutInlineOrEvalScripts()
    {
        var pages = (await PageEndpointsAsync()).Where(e => e.Method == "GET" && e.Key.Split(' ').Length == 3).ToList();
        var world = await WorldAsync();
        var checkedPages = 0;
        foreach (var page in pages)
        {
            foreach (var caller in new[] { Caller.Anonymous, Caller.Owner, Caller.Agent, Caller.Admin })
            {
                var client = (page.Template.Contains("abuse", StringComparison.Ordinal) ? world.AbuseWeb : world.Web)[caller];
                using var response = await client.GetAsync(Fill(world, page.Template));
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    continue;
                }
                checkedPages++;
                var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
                var scripts = Regex.Match(policy, @"(?:^|;)\s*script-src ([^;]*)").Groups[1].Value;
                Assert.True(scripts.Length > 0, $"{page.Template} as {caller}: no script-src in {policy}");
                Assert.DoesNotContain("unsafe-inline", scripts, StringComparison.Ordinal);
                Assert.DoesNotContain("unsafe-eval", scripts, StringComparison.Ordinal);
                Assert.Contains("object-src 'none'", policy, StringComparison.Ordinal);
                Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
            }
        }
        Assert.True(checkedPages >= 40, $"only {checkedPages} pages drawn");
    }
}
