namespace Sportello.Features.Sla;

public static class SlaFeature
{
    public static WebApplicationBuilder AddSla(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<ListSlaPolicies>();
        builder.Services.AddScoped<ChangeSlaPolicy>();
        builder.Services.AddScoped<ReadSlaReport>();
        builder.Services.AddSingleton<SlaRollupCache>();
        builder.Services.AddSingleton<SlaMonitor>();
        if (builder.Configuration.GetValue("Sportello:Sla:Monitor", true))
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<SlaMonitor>());
        }
        return builder;
    }
}
