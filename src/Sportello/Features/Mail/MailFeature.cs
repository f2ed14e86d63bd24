using Sportello.Features.Mail.Inbound;
using Sportello.Features.Mail.Outbound;
using Sportello.Features.Operations;
using Sportello.Web;

namespace Sportello.Features.Mail;

public static class MailFeature
{
    public static WebApplicationBuilder AddMail(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(MailOptions.Section);
        builder.Services.Configure<MailOptions>(section);
        // A relay list that cannot be read stops the start, naming the entry, rather than trusting nobody (or anybody) quietly.
        builder.Services.AddOptions<MailOptions>()
            .Validate(o => Inbound.Intake.TrustedRelays.Parse(o.Authentication.TrustedRelays) is not null).ValidateOnStart();
        builder.Services.AddSingleton<MailTokens>();
        builder.Services.AddSingleton<MailPipelineState>();
        builder.Services.AddSingleton<DkimSigning>();
        builder.Services.AddSingleton<SenderCheck>();
        builder.Services.AddScoped<Outbox>();
        builder.Services.AddScoped<TicketMails>();
        builder.Services.AddScoped<StoreInboundMail>();
        builder.Services.AddScoped<DeliveryReports>();
        builder.Services.AddSingleton<Inbound.Intake.TrustedRelays>();
        builder.Services.AddScoped<Inbound.Intake.ThreadInboundMail>();
        builder.Services.AddScoped<Inbound.Intake.AnswerBudget>();
        builder.Services.AddScoped<Inbound.Intake.MailTicketLimit>();
        builder.Services.AddScoped<Inbound.Intake.MailMessages>();
        builder.Services.AddScoped<Inbound.Intake.AppendMailReply>();
        builder.Services.AddScoped<Inbound.Intake.OpenMailTicket>();
        builder.Services.AddScoped<ReceiveInboundMail>();
        builder.Services.AddScoped<NotificationAddresses>();
        builder.Services.AddScoped<ReadRawMail>();
        builder.Services.AddScoped<ListInboundMail>();
        builder.Services.AddScoped<ListOutboxMail>();
        builder.Services.AddScoped<ReprocessInboundMail>();
        builder.Services.AddScoped<RetryOutboxMail>();
        builder.Services.AddScoped<ReadMailSummary>();
        builder.Services.AddKeyedSingleton(SmtpListener.ThrottleName,
            (services, _) => Throttle.Create(services, SmtpListener.ThrottleName, 120));
        builder.Services.AddKeyedSingleton(NotificationAddresses.ThrottleName,
            (services, _) => Throttle.Create(services, NotificationAddresses.ThrottleName, 20, 3600));
        builder.Services.AddSingleton<IntakeWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<IntakeWorker>());
        builder.Services.AddSingleton<OutboxWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxWorker>());
        if (!string.IsNullOrWhiteSpace(section["SmtpListen"] ?? new MailOptions().SmtpListen))
        {
            builder.Services.AddHostedService<SmtpListener>();
        }
        if (section.GetSection("Imap").GetChildren().Any())
        {
            builder.Services.AddHostedService<ImapIntake>();
        }
        builder.Services.AddHealthChecks().AddCheck<MailHealthCheck>("mail", tags: [OperationsFeature.Ready]);
        builder.Services.AddHostedService<MailMetrics>();
        return builder;
    }

    public static WebApplication MapMail(this WebApplication app)
    {
        app.MapRawMailPage();
        // Beside /health/ready, and like it open to the load balancer and monitoring (no sign-in).
        app.MapGet("/health/mail", MailHealthReport.GetAsync).AllowAnonymous().WithName("MailHealth").WithTags("Health")
            .Produces<MailHealthReport>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    public static RouteGroupBuilder MapMailApi(this RouteGroupBuilder api) => api.MapNotificationAddressesApi().MapMailAdminApi();
}
