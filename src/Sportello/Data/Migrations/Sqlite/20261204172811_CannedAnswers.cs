using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CannedAnswers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Language",
                table: "ChatConversations",
                type: "TEXT",
                maxLength: 5,
                nullable: false,
                defaultValue: "en");

            migrationBuilder.CreateTable(
                name: "CannedAnswers",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    BodyEn = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    BodyIt = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Keywords = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Department = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CannedAnswers", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CannedAnswers_Title",
                table: "CannedAnswers",
                column: "Title");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CannedAnswers");

            migrationBuilder.DropColumn(
                name: "Language",
                table: "ChatConversations");
        }
    }
}
