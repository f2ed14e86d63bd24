using Sportello.Features.Sla;
using Sportello.Web;

namespace Sportello.Features.Tickets;

public static class TicketsFeature
{
    public static WebApplicationBuilder AddTickets(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<TicketOptions>(builder.Configuration.GetSection("Sportello:Tickets"));
        builder.Services.AddScoped<OpenTicket>();
        builder.Services.AddScoped<ReplyToTicket>();
        builder.Services.AddScoped<AddAttachments>();
        builder.Services.AddScoped<ChangeTicket>();
        builder.Services.AddScoped<MergeTickets>();
        builder.Services.AddSingleton<TicketSignals>();
        builder.Services.AddKeyedSingleton(Throttle.TicketCreation,
            (services, _) => new Throttle(services.GetRequiredService<IConfiguration>(), Throttle.TicketCreation, Throttle.TicketCreationPermits));
        builder.Services.AddSingleton<SlaMonitor>();
        if (builder.Configuration.GetValue("Sportello:Sla:Monitor", true))
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<SlaMonitor>());
        }
        var signalR = builder.Services.AddSignalR();
        if (builder.Configuration["Sportello:Redis"] is { Length: > 0 } redis)
        {
            signalR.AddStackExchangeRedis(redis, o => o.Configuration.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal("sportello"));
        }
        return builder;
    }

    public static WebApplication MapTickets(this WebApplication app)
    {
        app.MapHub<TicketsHub>(TicketsHub.Path);
        // The pages' own download route (cookie session); the API has /api/v1/attachments/{id}.
        app.MapGet("/files/{attachmentId:guid}", TicketsApi.DownloadAsync).RequireAuthorization().ExcludeFromDescription();
        return app;
    }

    public static RouteGroupBuilder MapTicketsAndDeskApi(this RouteGroupBuilder api) => api.MapTicketsApi().MapDeskApi().MapSlaApi();
}
