namespace Sportello.Features.Contact;

public static class ContactFeature
{
    public static WebApplicationBuilder AddContact(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<ReadContactMethods>();
        return builder;
    }
}
