using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Search : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SearchDocuments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    TargetId = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SearchDocuments", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SearchDocuments_Kind_TargetId",
                table: "SearchDocuments",
                columns: new[] { "Kind", "TargetId" },
                unique: true);

            // The words: a contentless FTS5 table keyed by the document's id, written by SearchStore from words SearchText
            // analyzed; a deleted document takes its words with it. The marks ask the first start to index the tickets,
            // ended chats, notices and abuse cases that exist (SearchBackfill).
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "SearchText" USING fts5(en, it, en_internal, it_internal, scope, content='', contentless_delete=1, tokenize='unicode61');
                CREATE TRIGGER "SearchDocuments_Deleted" AFTER DELETE ON "SearchDocuments" BEGIN DELETE FROM "SearchText" WHERE rowid = old."Id"; END;
                INSERT INTO "SearchDocuments" ("Kind", "TargetId") VALUES ('backfill', '00000000-0000-0000-0000-000000000000'), ('backfill-c', '00000000-0000-0000-0000-000000000000'),
                    ('backfill-n', '00000000-0000-0000-0000-000000000000'), ('backfill-a', '00000000-0000-0000-0000-000000000000');
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER "SearchDocuments_Deleted"; DROP TABLE "SearchText";""");
            migrationBuilder.DropTable(
                name: "SearchDocuments");
        }
    }
}
