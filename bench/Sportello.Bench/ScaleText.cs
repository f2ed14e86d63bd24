using System.Text;

namespace Sportello.Bench;

/// <summary>
/// Support-desk prose in English and Italian for the scale seed: words drawn with a skewed (Zipf-like) frequency, so a
/// few words are everywhere and the tail is rare, as in real mail; a known phrase in about one message in a hundred.
/// </summary>
internal static class ScaleText
{
    /// <summary>A tail word of the English list: in a few messages per hundred (the search-by-word probe).</summary>
    public const string RareWord = "hypervisor";
    public const string PhraseEnglish = "the backup job failed";
    public const string PhraseItalian = "il backup notturno non è partito";

    private static readonly string[] English =
    [
        "the", "server", "is", "not", "and", "to", "a", "we", "you", "it", "please", "can", "our", "since", "this", "on", "with",
        "error", "site", "mail", "from", "have", "morning", "again", "still", "after", "restart", "slow", "down", "check",
        "domain", "dns", "record", "certificate", "expired", "login", "password", "account", "invoice", "payment", "order",
        "vps", "disk", "space", "full", "memory", "cpu", "load", "average", "network", "timeout", "connection", "refused",
        "port", "firewall", "rule", "backup", "restore", "snapshot", "database", "mysql", "postgres", "query", "php", "version",
        "upgrade", "nginx", "apache", "configuration", "ssl", "renewal", "email", "bounce", "spam", "blacklist", "delivery",
        "queue", "smtp", "imap", "quota", "customer", "ticket", "reply", "urgent", "production", "website", "shop", "checkout",
        "customers", "cannot", "access", "panel", "control", "reset", "reboot", "console", "kernel", "update", "ubuntu",
        "debian", "packet", "loss", "latency", "ping", "traceroute", "route", "gateway", "ipv6", "address", "reverse", "ptr",
        "migration", "transfer", "bandwidth", "traffic", "limit", "exceeded", "credit", "note", "refund", "vat", "billing",
        "renew", "cancel", "contract", "upgrade", "plan", "storage", "volume", "mount", "raid", "degraded", "drive", "replace",
        "datacenter", "rack", "power", "outage", "maintenance", "window", "scheduled", "incident", "monitoring", "alert",
        "graph", "spike", "cron", "job", "logs", "attached", "screenshot", "thanks", "regards", "hypervisor", "nvme", "ddos",
    ];

    private static readonly string[] Italian =
    [
        "il", "server", "non", "è", "e", "di", "che", "la", "un", "per", "da", "questa", "mattina", "ancora", "dopo", "il",
        "riavvio", "lento", "sito", "posta", "errore", "grazie", "cordiali", "saluti", "buongiorno", "vi", "chiedo", "di",
        "verificare", "dominio", "record", "dns", "certificato", "scaduto", "accesso", "password", "account", "fattura",
        "pagamento", "ordine", "disco", "spazio", "pieno", "memoria", "carico", "rete", "connessione", "rifiutata", "porta",
        "regola", "backup", "ripristino", "snapshot", "database", "versione", "aggiornamento", "configurazione", "rinnovo",
        "casella", "spam", "consegna", "coda", "quota", "cliente", "risposta", "urgente", "produzione", "negozio", "clienti",
        "pannello", "controllo", "console", "pacchetti", "persi", "latenza", "indirizzo", "inverso", "migrazione",
        "trasferimento", "banda", "traffico", "limite", "superato", "nota", "credito", "rimborso", "iva", "fatturazione",
        "rinnovare", "disdire", "contratto", "piano", "volume", "degradato", "sostituire", "guasto", "manutenzione",
        "programmata", "incidente", "monitoraggio", "avviso", "grafico", "picco", "allegato", "schermata", "nodo", "firewall",
    ];

    public static string Subject(Random random, bool italian)
    {
        var words = italian ? Italian : English;
        var text = new StringBuilder();
        var count = random.Next(4, 10);
        for (var i = 0; i < count; i++)
        {
            text.Append(i == 0 ? "" : " ").Append(Pick(random, words));
        }
        text[0] = char.ToUpperInvariant(text[0]);
        return text.ToString();
    }

    /// <summary>50 to 150 words in sentences of 6 to 14, capitalised and stopped; a phrase to search for in 1 % of them.</summary>
    public static string Body(Random random, bool italian, StringBuilder text)
    {
        var words = italian ? Italian : English;
        text.Clear();
        var count = random.Next(50, 151);
        var phraseAt = random.Next(100) == 0 ? random.Next(count) : -1;
        var sentence = 0;
        for (var i = 0; i < count; i++)
        {
            if (sentence == 0)
            {
                sentence = random.Next(6, 15);
                if (i > 0)
                {
                    text.Append(". ");
                }
                var start = text.Length;
                text.Append(Pick(random, words));
                text[start] = char.ToUpperInvariant(text[start]);
            }
            else
            {
                text.Append(' ').Append(i == phraseAt ? (italian ? PhraseItalian : PhraseEnglish) : Pick(random, words));
            }
            sentence--;
        }
        return text.Append('.').ToString();
    }

    // Skewed towards the head of the list: index = n·u^2.5 (u uniform), so the last words are rare.
    private static string Pick(Random random, string[] words) => words[(int)(words.Length * Math.Pow(random.NextDouble(), 2.5))];
}
