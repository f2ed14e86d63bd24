using Sportello.Web;

namespace Sportello.Features.Tickets;

public static class TicketsFeature
{
    public static WebApplicationBuilder AddTickets(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<TicketOptions>(builder.Configuration.GetSection("Sportello:Tickets"));
        builder.Services.AddScoped<OpenTicket>();
        builder.Services.AddScoped<TicketDocuments>();
        builder.Services.AddScoped<ReplyToTicket>();
        builder.Services.AddScoped<AddAttachments>();
        builder.Services.AddScoped<ChangeTicket>();
        builder.Services.AddScoped<MergeTickets>();
        builder.Services.AddScoped<ReadTicket>();
        builder.Services.AddScoped<ReadDeskTicket>();
        builder.Services.AddScoped<ReadDeskQueue>();
        builder.Services.AddScoped<ListCustomerTickets>();
        builder.Services.AddScoped<DownloadAttachment>();
        builder.Services.AddSingleton<TicketSignals>();
        builder.Services.AddKeyedSingleton(Throttle.TicketCreation,
            (services, _) => Throttle.Create(services, Throttle.TicketCreation, Throttle.TicketCreationPermits));
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
        app.MapTicketFiles();
        return app;
    }

    public static RouteGroupBuilder MapTicketsAndDeskApi(this RouteGroupBuilder api) => api.MapTicketsApi().MapDeskApi();
}
