using Microsoft.AspNetCore.Identity;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Chat;

public static class ChatFeature
{
    public const string CorsPolicy = "chat-widget";
    public const string StartThrottle = "ChatStart";
    public const string MessageThrottle = "ChatMessages";

    public static WebApplicationBuilder AddChat(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<ChatOptions>(builder.Configuration.GetSection(ChatOptions.Section));
        builder.Services.AddSingleton<CustomerTokens>();
        builder.Services.AddSingleton<ChatSignals>();
        builder.Services.AddSingleton<ChatWriter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ChatWriter>());
        builder.Services.AddScoped<ChatAccess>();
        builder.Services.AddScoped<ChatTranscript>();
        builder.Services.AddScoped<ChatQueue>();
        builder.Services.AddScoped<ChatVisitor>();
        builder.Services.AddScoped<StartChat>();
        builder.Services.AddScoped<SendChatMessage>();
        builder.Services.AddScoped<ReadChat>();
        builder.Services.AddScoped<CloseChat>();
        builder.Services.AddScoped<AcceptChat>();
        builder.Services.AddScoped<TransferChat>();
        builder.Services.AddScoped<ListDeskChats>();
        builder.Services.AddScoped<EscalateChat>();
        builder.Services.AddScoped<ReadDeskChat>();
        builder.Services.AddScoped<ChatTickets>();
        builder.Services.AddScoped<ChatAvailability>();
        builder.Services.AddScoped<LeaveChatMessage>();
        builder.Services.AddScoped<AddChatAttachments>();
        builder.Services.AddScoped<ReadChatAttachment>();
        builder.Services.AddScoped<MarkChatSeen>();
        builder.Services.AddScoped<EmailChatTranscript>();
        builder.Services.AddKeyedSingleton(StartThrottle,
            (services, _) => Throttle.Create(services, StartThrottle, 10));
        builder.Services.AddKeyedSingleton(MessageThrottle,
            (services, _) => Throttle.Create(services, MessageThrottle, 30));
        // The widget runs on the provider's site: its calls and the hub are open to the origins an admin lists, no others.
        builder.Services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
            .SetIsOriginAllowed(origin => Allowed(builder.Configuration, origin))
            .WithHeaders("Content-Type", ChatApi.TokenHeader, "X-Requested-With", "X-SignalR-User-Agent")
            .WithMethods("GET", "POST")
            .AllowCredentials()));
        builder.Services.AddAuthorizationBuilder().AddPolicy(ChatHub.Policy, p => p
            .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme, ApiTokenAuthentication.SchemeName)
            .RequireAssertion(_ => true));
        return builder;
    }

    public static WebApplication MapChat(this WebApplication app)
    {
        app.MapHub<ChatHub>(ChatHub.Path).RequireCors(CorsPolicy).RequireAuthorization(ChatHub.Policy);
        app.MapChatWidget();
        app.MapChatFiles();
        return app;
    }

    private static bool Allowed(ConfigurationManager configuration, string origin)
    {
        var options = configuration.GetSection(ChatOptions.Section).Get<ChatOptions>() ?? new ChatOptions();
        return options.AllowedOrigins.Any(o => o == "*" || string.Equals(o.TrimEnd('/'), origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
    }
}
