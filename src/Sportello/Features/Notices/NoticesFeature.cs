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
        builder.Services.AddSingleton<NoticeFanOut>();
        builder.Services.AddHostedService(services => services.GetRequiredService<NoticeFanOut>());
        return builder;
    }
}
