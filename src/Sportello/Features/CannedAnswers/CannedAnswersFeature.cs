namespace Sportello.Features.CannedAnswers;

public static class CannedAnswersFeature
{
    public static WebApplicationBuilder AddCannedAnswers(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<ManageCannedAnswers>();
        builder.Services.AddScoped<SuggestCannedAnswers>();
        return builder;
    }
}
