using Sportello;
using Sportello.Data;
using Sportello.Features.Abuse;
using Sportello.Features.Accounts;
using Sportello.Features.Billing;
using Sportello.Features.CannedAnswers;
using Sportello.Features.Chat;
using Sportello.Features.Contact;
using Sportello.Features.Demo;
using Sportello.Features.Mail;
using Sportello.Features.Notices;
using Sportello.Features.Operations;
using Sportello.Features.Operations.Commands;
using Sportello.Features.Services;
using Sportello.Features.Sla;
using Sportello.Features.Search;
using Sportello.Features.Tickets;
using Sportello.Web;

if (await OperationsCommands.TryRunAsync(args) is { } exitCode)
{
    return exitCode;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddSportelloOptions();
builder.AddDatabase();
builder.AddAccounts();
builder.AddServices();
builder.AddTickets();
builder.AddSla();
builder.AddMail();
builder.AddChat();
builder.AddCannedAnswers();
builder.AddNotices();
builder.AddBilling();
builder.AddAbuse();
builder.AddSearch();
builder.AddContact();
builder.AddWeb();
builder.AddOperations();

var app = builder.Build();
if (!await app.PrepareDatabaseAsync() || !await Bootstrap.CreateFirstAdminAsync(app.Services))
{
    return 1;
}
await app.Services.GetRequiredService<MailTokens>().PrepareAsync();
await DemoData.SeedAsync(app.Services);

app.UseWeb();
app.MapOperations();
app.MapGroup("/api/v1")
    .MapAccountsApi()
    .MapServicesApi()
    .MapTicketsAndDeskApi()
    .MapSlaApi()
    .MapMailApi()
    .MapChatApi()
    .MapCannedAnswersApi()
    .MapNoticesApi()
    .MapVatApi()
    .MapInvoicesApi()
    .MapAbuseApi()
    .MapSearchApi();
app.MapTickets();
app.MapMail();
app.MapChat();
app.MapNotices();
app.MapRazorPages();

await app.RunAsync();
return 0;

/// <summary>The entry point, visible to the test host.</summary>
public partial class Program;
