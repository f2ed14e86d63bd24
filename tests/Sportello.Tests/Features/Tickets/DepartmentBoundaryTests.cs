using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Features.Tickets;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Tickets;

/// <summary>
/// Departments are a boundary. The matrix is generated from the endpoint table, the Desk's page handlers and the hub's
/// methods, so a route added later joins it without anyone remembering: an agent of the ticket's department and an
/// admin get through, an agent of another department gets 404 (exactly like a missing ticket), a customer 403/404.
/// </summary>
[Trait("Category", "Data")]
public sealed class DepartmentBoundaryTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private sealed record World(HttpClient Technical, HttpClient Financial, HttpClient Admin, HttpClient Customer, string TicketId,
        string TechnicalEmail, string FinancialEmail);

    private const string AgentPassword = "agent passphrase 2026";

    private async Task<World> WorldAsync()
    {
        var tag = Unique.Next();
        var (email, _, _) = Unique.Customer($"boundary{tag}");
        await (await app.AdminAsync()).CreateCustomerAsync(email);
        var customer = await app.SignInAsync(email, "customer passphrase 2026");
        var ticket = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = $"Boundary {tag}", description = "Slow." });
        var technicalEmail = $"tech{tag}@sportello.test";
        var financialEmail = $"fin{tag}@sportello.test";
        return new World(await app.AgentAsync(technicalEmail, "technical"), await app.AgentAsync(financialEmail, "financial"),
            await app.AdminAsync(), customer, ticket.GetProperty("id").GetString()!, technicalEmail, financialEmail);
    }

    private IEnumerable<(string Method, string Template)> DeskTicketRoutes() => DeskRoutes("ticketId");

    /// <summary>Every API route under /api/v1/desk that names a <paramref name="parameter"/> (a ticket, a chat), with its HTTP methods.</summary>
    private IEnumerable<(string Method, string Template)> DeskRoutes(string parameter) =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && raw.TrimStart('/').StartsWith("api/v1/desk/", StringComparison.Ordinal)
                && e.RoutePattern.Parameters.Any(p => p.Name == parameter))
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (m, "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Distinct();

    private static string Url(string template, string id) =>
        System.Text.RegularExpressions.Regex.Replace(template, @"\{(ticketId|chatId)(:[^}]*)?\}", id);

    // The answer without its per-request trace id.
    private static string Problem(string body) =>
        System.Text.RegularExpressions.Regex.Replace(body, "\"traceId\":\"[^\"]*\"", "");

    private static Task<HttpResponseMessage> CallAsync(HttpClient client, string method, string url) =>
        method == "GET" ? client.GetAsync(url) : client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url) { Content = JsonContent.Create(new { }) });

    [Fact]
    public async Task EveryDeskApiRoute_AnswersAnotherDepartmentsAgent_LikeAMissingTicket()
    {
        var world = await WorldAsync();
        var routes = DeskTicketRoutes().ToList();
        // The table is read, not typed in: it holds the Desk's ticket routes (the test fails if it ever reads nothing).
        Assert.Contains(routes, r => r.Method == "GET" && r.Template.EndsWith("/desk/tickets/{ticketId:guid}", StringComparison.Ordinal));
        Assert.True(routes.Count >= 8, $"only {routes.Count} desk routes found");
        var missing = Guid.NewGuid().ToString();

        foreach (var (method, template) in routes)
        {
            var url = Url(template, world.TicketId);
            var other = await CallAsync(world.Financial, method, url);
            var absent = await CallAsync(world.Financial, method, Url(template, missing));
            Assert.True(other.StatusCode == HttpStatusCode.NotFound, $"{method} {template} by another department: {(int)other.StatusCode}");
            Assert.Equal(absent.StatusCode, other.StatusCode);
            Assert.Equal(Problem(await absent.Content.ReadAsStringAsync()), Problem(await other.Content.ReadAsStringAsync()));

            var customer = await CallAsync(world.Customer, method, url);
            Assert.True(customer.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"{method} {template} by a customer: {(int)customer.StatusCode}");

            foreach (var (who, client) in new[] { ("agent of the department", world.Technical), ("admin", world.Admin) })
            {
                var allowed = await CallAsync(client, method, url);
                Assert.True(allowed.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.Forbidden) && (int)allowed.StatusCode < 500,
                    $"{method} {template} by the {who}: {(int)allowed.StatusCode}");
            }
        }
    }

    [Fact]
    public async Task EveryDeskChatRoute_AnswersAnotherDepartmentsAgent_LikeAMissingChat()
    {
        var world = await WorldAsync();
        var started = await (await app.Anonymous().PostAsJsonAsync("/api/v1/chat/conversations", new { message = "Boundary chat.", department = "technical" }))
            .JsonAsync(HttpStatusCode.Created);
        var chatId = started.GetProperty("id").GetString()!;
        // A file in the chat, so that routes naming one reach a real one.
        var upload = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/chat/conversations/{chatId}/attachments")
        {
            Content = new MultipartFormDataContent { { new ByteArrayContent("boundary"u8.ToArray()), "files", "boundary.txt" } },
        };
        upload.Headers.Add("X-Chat-Token", started.GetProperty("visitorToken").GetString());
        var fileId = (await (await app.Anonymous().SendAsync(upload)).JsonAsync(HttpStatusCode.Created))[0].GetProperty("id").GetString()!;
        string Url(string template, string id) => DepartmentBoundaryTests.Url(template, id).Replace("{attachmentId:guid}", fileId, StringComparison.Ordinal);
        var routes = DeskRoutes("chatId").ToList();
        Assert.Contains(routes, r => r.Method == "POST" && r.Template.EndsWith("/desk/chats/{chatId:guid}/accept", StringComparison.Ordinal));
        Assert.True(routes.Count >= 5, $"only {routes.Count} desk chat routes found");
        var missing = Guid.NewGuid().ToString();

        foreach (var (method, template) in routes)
        {
            var other = await CallAsync(world.Financial, method, Url(template, chatId));
            var absent = await CallAsync(world.Financial, method, Url(template, missing));
            Assert.True(other.StatusCode == HttpStatusCode.NotFound, $"{method} {template} by another department: {(int)other.StatusCode}");
            Assert.Equal(Problem(await absent.Content.ReadAsStringAsync()), Problem(await other.Content.ReadAsStringAsync()));
            var customer = await CallAsync(world.Customer, method, Url(template, chatId));
            Assert.True(customer.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"{method} {template} by a customer: {(int)customer.StatusCode}");
            foreach (var (who, client) in new[] { ("agent of the department", world.Technical), ("admin", world.Admin) })
            {
                var allowed = await CallAsync(client, method, Url(template, chatId));
                Assert.True(allowed.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.Forbidden) && (int)allowed.StatusCode < 500,
                    $"{method} {template} by the {who}: {(int)allowed.StatusCode}");
            }
        }
    }

    [Fact]
    public async Task DeskPages_AndTheirHandlers_AnswerAnotherDepartmentsAgent_WithNotFound()
    {
        var world = await WorldAsync();
        var technical = await app.SignInWebAsync(world.TechnicalEmail, AgentPassword);
        var financial = await app.SignInWebAsync(world.FinancialEmail, AgentPassword);
        var page = $"/desk/tickets/{world.TicketId}";
        await technical.GetPageAsync(page);
        await financial.GetPageAsync(page, HttpStatusCode.NotFound);

        // Every POST handler of the Desk's ticket page: found by reflection, so a new one is covered by itself.
        var handlers = typeof(Sportello.Features.Desk.TicketModel).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.Name.StartsWith("OnPost", StringComparison.Ordinal) && m.GetParameters().Any(p => p.Name == "ticketId"))
            .Select(m => m.Name["OnPost".Length..].Replace("Async", "", StringComparison.Ordinal)).ToList();
        Assert.Contains("Department", handlers);
        var token = WebForms.AntiforgeryToken(await financial.GetPageAsync("/desk"));
        foreach (var handler in handlers)
        {
            var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["value"] = "closed", ["Body"] = "Cross-department attempt.",
            });
            var response = await financial.PostAsync($"{page}?handler={handler}", form);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"POST handler {handler} by another department: {(int)response.StatusCode}");
        }
        var detail = await world.Admin.DeskTicketAsync(world.TicketId);
        Assert.Equal("open", detail.GetProperty("status").GetString());
        Assert.Single(detail.GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task TheChatConsolePage_AndItsHandlers_AnswerAnotherDepartmentsAgent_WithNotFound()
    {
        var world = await WorldAsync();
        var started = await (await app.Anonymous().PostAsJsonAsync("/api/v1/chat/conversations", new { message = "Page boundary chat.", email = "v@visitor.example" }))
            .JsonAsync(HttpStatusCode.Created);
        var chatId = started.GetProperty("id").GetString()!;
        var technical = await app.SignInWebAsync(world.TechnicalEmail, AgentPassword);
        var financial = await app.SignInWebAsync(world.FinancialEmail, AgentPassword);
        var page = $"/desk/chats/{chatId}";
        await technical.GetPageAsync(page);
        await financial.GetPageAsync(page, HttpStatusCode.NotFound);
        Assert.DoesNotContain("Page boundary chat.", await financial.GetPageAsync("/desk/chats"), StringComparison.Ordinal);

        // Every POST handler of the chat page, by reflection: a new one is covered by itself.
        var handlers = typeof(Sportello.Features.Desk.ChatModel).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.Name.StartsWith("OnPost", StringComparison.Ordinal) && m.GetParameters().Any(p => p.Name == "chatId"))
            .Select(m => m.Name["OnPost".Length..].Replace("Async", "", StringComparison.Ordinal)).ToList();
        Assert.Contains("Escalate", handlers);
        var token = WebForms.AntiforgeryToken(await financial.GetPageAsync("/desk/chats"));
        foreach (var handler in handlers)
        {
            var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["Body"] = "Cross-department attempt.", ["department"] = "technical", ["priority"] = "normal",
            });
            var response = await financial.PostAsync($"{page}?handler={handler}", form);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"POST handler {handler} by another department: {(int)response.StatusCode}");
        }
        var messages = await (await world.Admin.GetAsync($"/api/v1/desk/chats/{chatId}/messages")).JsonAsync(HttpStatusCode.OK);
        Assert.Single(messages.EnumerateArray());
        var listed = (await (await world.Admin.GetAsync("/api/v1/desk/chats?limit=200")).JsonAsync(HttpStatusCode.OK)).EnumerateArray()
            .Single(c => c.GetProperty("id").GetString() == chatId);
        Assert.Equal("waiting", listed.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("ticketId").ValueKind);
    }

    [Fact]
    public async Task HubMethods_RefuseAnotherDepartmentsTicket_AndItsChangesNeverReachThem()
    {
        var world = await WorldAsync();
        var heardByFinancial = new List<string>();
        var heardByTechnical = new List<string>();
        var warnings = new List<string>();
        await using var financial = await Hubs.ConnectAsync(app, world.Financial, c =>
        {
            c.On<TicketSignals.TicketChanged>("ticketChanged", m => { lock (heardByFinancial) { heardByFinancial.Add(m.Id.ToString()); } });
            c.On<object>("agentReplying", _ => { lock (warnings) { warnings.Add("financial"); } });
        });
        await using var technical = await Hubs.ConnectAsync(app, world.Technical, c =>
        {
            c.On<TicketSignals.TicketChanged>("ticketChanged", m => { lock (heardByTechnical) { heardByTechnical.Add(m.Id.ToString()); } });
        });
        var ticketId = Guid.Parse(world.TicketId);

        // Every hub method that names a ticket, by reflection: another department's ticket is a missing one.
        var methods = typeof(TicketsHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.GetParameters() is [{ ParameterType: var type }] && type == typeof(Guid)).Select(m => m.Name).ToList();
        Assert.Contains("WatchTicket", methods);
        foreach (var method in methods)
        {
            var answer = await financial.InvokeCoreAsync(method, typeof(TicketsHub).GetMethod(method)!.ReturnType == typeof(Task<bool>) ? typeof(bool) : typeof(object),
                [ticketId], TestContext.Current.CancellationToken);
            if (answer is bool watched)
            {
                Assert.False(watched, $"{method} by another department");
            }
        }
        Assert.True(await technical.InvokeAsync<bool>("WatchTicket", ticketId, TestContext.Current.CancellationToken));
        await technical.InvokeAsync("Replying", ticketId, TestContext.Current.CancellationToken);

        (await world.Technical.PostJsonAsync($"/api/v1/desk/tickets/{world.TicketId}/messages", new { body = "Looking into it." })).EnsureSuccessStatusCode();
        await Eventually.TrueAsync(() => Task.FromResult(heardByTechnical.Contains(world.TicketId)), "the technical agent to hear of the reply");
        // The push reached the department; a last round trip makes sure the other connection has had its chance.
        await financial.InvokeAsync<bool>("WatchTicket", Guid.NewGuid(), TestContext.Current.CancellationToken);
        Assert.DoesNotContain(world.TicketId, heardByFinancial);
        Assert.Empty(warnings);
    }

    [Fact]
    public async Task QueueAndFiles_LeaveOutAnotherDepartment_EvenWhenNamed()
    {
        var world = await WorldAsync();
        var financialQueue = await (await world.Financial.GetAsync("/api/v1/desk/queue?department=technical&limit=200")).JsonAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(financialQueue.EnumerateArray(), t => t.GetProperty("id").GetString() == world.TicketId);
        var technicalQueue = await (await world.Technical.GetAsync("/api/v1/desk/queue?limit=200")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(technicalQueue.EnumerateArray(), t => t.GetProperty("id").GetString() == world.TicketId);

        using var upload = new MultipartFormDataContent { { new ByteArrayContent("log line"u8.ToArray()), "files", "app.log" } };
        var files = await (await world.Customer.PostAsync($"/api/v1/tickets/{world.TicketId}/attachments", upload)).JsonAsync(HttpStatusCode.Created);
        var fileId = files[0].GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NotFound, (await world.Financial.GetAsync($"/api/v1/attachments/{fileId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await world.Technical.GetAsync($"/api/v1/attachments/{fileId}")).StatusCode);
    }

    [Fact]
    public async Task MovingATicket_ToAnotherDepartment_TakesItOutOfTheMoversView()
    {
        var world = await WorldAsync();
        var me = (await (await world.Technical.GetAsync("/api/v1/me")).JsonAsync(HttpStatusCode.OK)).GetProperty("id").GetString();
        (await world.Technical.PostJsonAsync($"/api/v1/desk/tickets/{world.TicketId}/assignee", new { assigneeId = me })).EnsureSuccessStatusCode();

        var moved = await (await world.Technical.PostJsonAsync($"/api/v1/desk/tickets/{world.TicketId}/department", new { department = "financial" }))
            .JsonAsync(HttpStatusCode.OK);

        Assert.Equal("financial", moved.GetProperty("department").GetString());
        // Its assignee no longer sees it: it waits, unassigned, for the new department.
        Assert.Equal(JsonValueKind.Null, moved.GetProperty("assigneeId").ValueKind);
        Assert.Equal(HttpStatusCode.NotFound, (await world.Technical.GetAsync($"/api/v1/desk/tickets/{world.TicketId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await world.Financial.GetAsync($"/api/v1/desk/tickets/{world.TicketId}")).StatusCode);
    }

    [Fact]
    public async Task RawMail_IsForAdmins_AgentsGet403()
    {
        var world = await WorldAsync();
        var missing = Guid.NewGuid();

        Assert.Equal(HttpStatusCode.Forbidden, (await world.Technical.GetAsync($"/api/v1/desk/mail/{missing}/original")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await world.Admin.GetAsync($"/api/v1/desk/mail/{missing}/original")).StatusCode);
    }
}
