using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Sportello.Data;

namespace Sportello.Features.Operations;

public static class OperationsFeature
{
    public const string Ready = "ready";

    public static WebApplicationBuilder AddOperations(this WebApplicationBuilder builder)
    {
        if (!builder.Environment.IsDevelopment())
        {
            // No scopes: ASP.NET's request scope carries the raw path, and some paths are secrets (/confirm-address/{token},
            // /status/unsubscribe/{token}, calendar feeds). Every warning inside such a request would have logged one.
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = false);
        }
        builder.Services.AddHealthChecks().AddDbContextCheck<SportelloDb>("database", tags: [Ready]);
        // Metrics for Prometheus at /metrics: HTTP, runtime, and Sportello's own (SLA marks, ...).
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("sportello"))
            .WithMetrics(metrics => metrics
                .AddMeter("Sportello")
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());
        builder.Services.AddOpenApi();
        return builder;
    }

    public static WebApplication MapOperations(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready) });
        app.MapOpenApi();
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
