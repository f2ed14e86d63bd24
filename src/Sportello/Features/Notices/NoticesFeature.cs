using Sportello.Web;

namespace Sportello.Features.Notices;

public static class NoticesFeature
{
    public static WebApplicationBuilder AddNotices(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<NoticeOptions>(builder.Configuration.GetSection(NoticeOptions.Section));
        builder.Services.AddSingleton<NoticeWake>();
        builder.Services.AddScoped<PublishNotice>();
        builder.Services.AddScoped<UpdateNotice>();
        builder.Services.AddScoped<ReadNotices>();
        builder.Services.AddScoped<Inbox>();
        builder.Services.AddScoped<ReadStatus>();
        builder.Services.AddScoped<CalendarFeeds>();
        builder.Services.AddScoped<StatusSubscriptions>();
        builder.Services.AddScoped<ActiveNotices>();
        builder.Services.AddScoped<ResolutionReply>();
        builder.Services.AddKeyedSingleton(StatusSubscriptions.Throttle,
            (services, _) => Throttle.Create(services, StatusSubscriptions.Throttle, 10));
        builder.Services.AddSingleton<NoticeFanOut>();
        builder.Services.AddHostedService(services => services.GetRequiredService<NoticeFanOut>());
        return builder;
    }

    /// <summary>The public status feed (the status page itself is a Razor page).</summary>
    public static WebApplication MapNotices(this WebApplication app)
    {
        app.MapGet(StatusFeed.Path, StatusFeed.HandleAsync).AllowAnonymous().ExcludeFromDescription();
        // A customer's private maintenance calendar: the secret in the path is the only credential (calendar apps send no other).
        app.MapGet(CalendarFeeds.Prefix + "{file}", async (string file, CalendarFeeds feeds, CancellationToken cancellationToken) =>
                file.EndsWith(".ics", StringComparison.Ordinal) && await feeds.CalendarAsync(file[..^4], cancellationToken) is { } ics
                    ? Results.Text(ics, "text/calendar; charset=utf-8")
                    : Results.NotFound())
            .AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
