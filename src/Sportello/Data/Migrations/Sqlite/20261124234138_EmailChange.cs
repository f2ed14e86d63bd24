using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EmailChange : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "EmailChanges",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    NewEmail = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    OldTokenHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    NewTokenHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    OldConfirmedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    NewConfirmedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CompletedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EmailChanges", x => x.Id);
                    table.ForeignKey(
                        name: "FK_EmailChanges_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_EmailChanges_NewTokenHash",
                table: "EmailChanges",
                column: "NewTokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_EmailChanges_OldTokenHash",
                table: "EmailChanges",
                column: "OldTokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_EmailChanges_UserId",
                table: "EmailChanges",
                column: "UserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "EmailChanges");
        }
    }
}
