namespace Sportello.Features.Abuse;

public static class AbuseFeature
{
    public static WebApplicationBuilder AddAbuse(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AbuseOptions>().Bind(builder.Configuration.GetSection(AbuseOptions.Section))
            .Validate(o => o.GroupingHours is >= 0 and <= 24 * 30, "Sportello:Abuse:GroupingHours must be between 0 and 720.")
            .Validate(o => o.ResponseHours is >= 1 and <= 24 * 30, "Sportello:Abuse:ResponseHours must be between 1 and 720.")
            .ValidateOnStart();
        builder.Services.AddScoped<AbuseAccess>();
        builder.Services.AddScoped<AbuseMails>();
        builder.Services.AddScoped<ReceiveAbuseReport>();
        builder.Services.AddScoped<SubmitAbuseReport>();
        builder.Services.AddScoped<AbuseMailIntake>();
        builder.Services.AddScoped<ReadAbuseCases>();
        builder.Services.AddScoped<AnswerAbuseCase>();
        builder.Services.AddScoped<MessageAbuseCustomer>();
        builder.Services.AddScoped<RequestSuspension>();
        builder.Services.AddScoped<ResolveAbuseCase>();
        builder.Services.AddScoped<AnswerNotOurs>();
        builder.Services.AddScoped<AssignAbuseAddress>();
        builder.Services.AddScoped<OpenSecurityNotice>();
        builder.Services.AddScoped<AbuseStatistics>();
        builder.Services.AddSingleton<AbuseDeadlines>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AbuseDeadlines>());
        return builder;
    }
}
